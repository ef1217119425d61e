package io.rtchat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code [Backplane]} table of settings.toml. */
class BackplaneSettingsTest {

  @Test
  void defaultsMeanASingleInstance() throws Exception {
    Settings s = SettingsLoader.parse("settings.toml", "");
    assertThat(s.backplane.enabled()).isFalse();
    assertThat(s.backplane.keepAliveSeconds).isEqualTo(5);
    assertThat(s.backplane.topicPrefix).isEqualTo("rtchat/main");
    assertThat(SettingsLoader.parse("default", SettingsLoader.defaultConfigText()).backplane.enabled()).isFalse();
  }

  @Test
  void aBrokerUrlTurnsTheBackplaneOn() throws Exception {
    Settings s = SettingsLoader.parse("settings.toml", """
        [Backplane]
        URL = "mqtt://broker.internal:1883"
        TopicPrefix = "rtchat/prod"
        KeepAliveSeconds = 3
        InstanceID = "web-1"
        """);
    assertThat(s.backplane.enabled()).isTrue();
    assertThat(s.backplane.url).isEqualTo("mqtt://broker.internal:1883");
    assertThat(s.backplane.topicPrefix).isEqualTo("rtchat/prod");
    assertThat(s.backplane.keepAliveSeconds).isEqualTo(3);
    assertThat(s.backplane.instanceId).isEqualTo("web-1");
  }

  @Test
  void badValuesAreStartupErrorsWithFileAndLine() {
    assertThatThrownBy(() -> SettingsLoader.parse("settings.toml", "Title = \"x\"\n[Backplane]\nURL = \"http://broker:1883\"\n"))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("settings.toml:3:").hasMessageContaining("Backplane.URL");
    assertThatThrownBy(() -> SettingsLoader.parse("settings.toml", "[Backplane]\nTopicPrefix = \"rtchat/#\"\n"))
        .hasMessageContaining("settings.toml:2:").hasMessageContaining("TopicPrefix");
    assertThatThrownBy(() -> SettingsLoader.parse("settings.toml", "[Backplane]\nKeepAliveSeconds = 0\n"))
        .hasMessageContaining("KeepAliveSeconds");
    assertThatThrownBy(() -> SettingsLoader.parse("settings.toml", "[Backplane]\nInstanceID = \"a/b\"\n"))
        .hasMessageContaining("InstanceID");
    assertThatThrownBy(() -> SettingsLoader.parse("settings.toml", "[Backplane]\nUrl2 = \"mqtt://x:1\"\n"))
        .hasMessageContaining("settings.toml:2:").hasMessageContaining("unknown key 'Backplane.Url2'");
  }
}
