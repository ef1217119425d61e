package io.rtchat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** settings.toml: BareRTC keys, defaults, and startup errors that name file, line and key. */
class SettingsLoaderTest {
  @TempDir
  Path dir;

  @Test
  void missingConfigMeansOneLobbyChannelAndNoJwt() {
    Settings s = SettingsLoader.defaults();
    assertThat(s.publicChannels).extracting(c -> c.id).containsExactly("lobby");
    assertThat(s.jwt.enabled).isFalse();
    assertThat(s.jwt.strict).isTrue();
    assertThat(s.title).isEqualTo("BareRTC");
    assertThat(s.webSocketReadLimit).isEqualTo(41_943_040L);
    assertThat(s.turn.urls).containsExactly("stun:stun.l.google.com:19302");
  }

  @Test
  void thePrintedDefaultConfigParsesBackToTheDefaults() throws Exception {
    Settings s = SettingsLoader.parse("default", SettingsLoader.defaultConfigText());
    Settings d = SettingsLoader.defaults();
    assertThat(s.title).isEqualTo(d.title);
    assertThat(s.publicChannels.get(0).welcomeMessages).isEqualTo(d.publicChannels.get(0).welcomeMessages);
    assertThat(s.publicChannels.get(0).echoMessagesOnJoin).isEqualTo(10);
    assertThat(s.strings.modRuleErrorNoImage).isEqualTo(d.strings.modRuleErrorNoImage);
    assertThat(s.limits.sendQueueMessages).isEqualTo(32);
    assertThat(SettingsLoader.defaultConfigText()).contains("# ");
  }

  @Test
  void aBareRtcStyleFileWithAllSectionsLoads() throws Exception {
    Path f = write("""
        Version = 16
        Title = "My Chat"
        Branding = "<b>My</b> Chat"
        WebsiteURL = "https://chat.example.org"
        CORSHosts = ["https://chat.example.org"]
        PermitNSFW = true
        AdminAPIKey = "k"

        [JWT]
        Enabled = true
        Strict = false
        SecretKey = "0123456789abcdef0123456789abcdef"
        LandingPageURL = "https://example.org/login"

        [TURN]
        URLs = []

        [[PublicChannels]]
        ID = "lobby"
        Name = "Lobby"
        WelcomeMessages = ["Hi"]
        EchoMessagesOnJoin = 5

        [[PublicChannels]]
        ID = "vip"
        Name = "VIP"
        VIP = true

        [[ModerationRule]]
        Username = "troll"
        NoBroadcast = true
        """);
    Settings s = SettingsLoader.load(f);
    assertThat(s.title).isEqualTo("My Chat");
    assertThat(s.jwt.enabled).isTrue();
    assertThat(s.jwt.strict).isFalse();
    assertThat(s.turn.urls).isEmpty();
    assertThat(s.publicChannels).extracting(c -> c.id).containsExactly("lobby", "vip");
    assertThat(s.publicChannels.get(1).vip).isTrue();
    assertThat(s.moderationRules.get(0).noBroadcast).isTrue();
  }

  @Test
  void anUnknownKeyIsAnErrorNamingFileLineAndKey() throws Exception {
    Path f = write("""
        Title = "x"

        [JWT]
        Enabled = false
        SecretKy = "oops"
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining(f + ":5:")
        .hasMessageContaining("unknown key 'JWT.SecretKy'");
  }

  @Test
  void anUnknownKeyInsideTheSecondChannelPointsAtItsLine() throws Exception {
    Path f = write("""
        [[PublicChannels]]
        ID = "lobby"
        Name = "Lobby"

        [[PublicChannels]]
        ID = "two"
        Nmae = "Two"
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f))
        .hasMessageContaining(":7:")
        .hasMessageContaining("PublicChannels[1].Nmae");
  }

  @Test
  void aMistypedValueIsAnErrorNamingTheKey() throws Exception {
    Path f = write("""
        Title = "x"
        PermitNSFW = "yes please"
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f))
        .hasMessageContaining(f + ":2:")
        .hasMessageContaining("bad value for key 'PermitNSFW'");
  }

  @Test
  void brokenTomlIsAnErrorWithItsLine() throws Exception {
    Path f = write("""
        Title = "x"
        this is not toml
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("invalid TOML");
  }

  @Test
  void jwtEnabledWithAShortSecretRefusesToStart() throws Exception {
    Path f = write("""
        [JWT]
        Enabled = true
        SecretKey = "hunter2"
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f))
        .hasMessageContaining(f + ":3:")
        .hasMessageContaining("JWT.SecretKey")
        .hasMessageContaining("at least 32 bytes");
  }

  @Test
  void jwtEnabledWithAnEmptySecretRefusesToStart() throws Exception {
    Path f = write("""
        [JWT]
        Enabled = true
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f)).hasMessageContaining("JWT.SecretKey");
  }

  @Test
  void duplicateChannelIdsAndBadRegexesAreRefused() throws Exception {
    Path dup = write("""
        [[PublicChannels]]
        ID = "a"
        [[PublicChannels]]
        ID = "a"
        """);
    assertThatThrownBy(() -> SettingsLoader.load(dup)).hasMessageContaining("repeats channel 'a'");
    Path re = write("""
        [[MessageFilters]]
        Enabled = true
        KeywordPhrases = ["(unclosed"]
        """);
    assertThatThrownBy(() -> SettingsLoader.load(re)).hasMessageContaining("bad regex");
  }

  @Test
  void aMissingFileIsAnErrorNamingIt() {
    Path f = dir.resolve("nope.toml");
    assertThatThrownBy(() -> SettingsLoader.load(f)).hasMessageContaining("nope.toml: file not found");
  }

  @Test
  void aWebRootWithoutIndexHtmlIsRefused() throws Exception {
    Path f = write("WebRoot = \"" + dir.resolve("empty-dist").toString().replace("\\", "/") + "\"\n");
    assertThatThrownBy(() -> SettingsLoader.load(f)).hasMessageContaining("WebRoot");
  }

  private int counter;

  private Path write(String text) throws Exception {
    Path f = dir.resolve("settings" + (counter++) + ".toml");
    Files.writeString(f, text);
    return f;
  }
}
