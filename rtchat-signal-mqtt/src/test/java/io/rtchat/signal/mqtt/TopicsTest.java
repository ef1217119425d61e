package io.rtchat.signal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void layoutHasARoomTopicPerSenderAndAnInboxPerPeer() {
    Topics topics = new Topics("lobby", "alice");

    assertThat(topics.roomPublish()).isEqualTo("rtchat/v1/lobby/from/alice");
    assertThat(topics.roomFilter()).isEqualTo("rtchat/v1/lobby/from/+");
    assertThat(topics.willPublish()).isEqualTo("rtchat/v1/lobby/will/alice");
    assertThat(topics.willFilter()).isEqualTo("rtchat/v1/lobby/will/+");
    assertThat(topics.inboxFilter()).isEqualTo("rtchat/v1/lobby/to/alice");
    assertThat(topics.targeted("bob")).isEqualTo("rtchat/v1/lobby/to/bob");
  }

  @Test
  void namesCannotAddLevelsWildcardsOrSystemTopics() {
    assertThat(Topics.escape("room", "a/b")).isEqualTo("a%2Fb");
    assertThat(Topics.escape("room", "+")).isEqualTo("%2B");
    assertThat(Topics.escape("room", "#")).isEqualTo("%23");
    assertThat(Topics.escape("room", "$SYS")).isEqualTo("%24SYS");
    assertThat(Topics.escape("room", "100%")).isEqualTo("100%25");
    assertThat(Topics.escape("room", "Zoë ☕")).isEqualTo("Zo%C3%AB%20%E2%98%95");
    assertThat(Topics.escape("room", "ok-1.2_~")).isEqualTo("ok-1.2_~");
  }

  @Test
  void emptyAndOverlongNamesAreRejected() {
    assertThatThrownBy(() -> Topics.escape("room", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> Topics.escape("peer name", "x".repeat(129)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("128");
  }

  @Test
  void onlySubscribedTopicsAreAcceptedAndOwnPublicationsRecognised() {
    Topics topics = new Topics("lobby", "alice");

    assertThat(topics.isSubscribed("rtchat/v1/lobby/from/bob")).isTrue();
    assertThat(topics.isSubscribed("rtchat/v1/lobby/to/alice")).isTrue();
    assertThat(topics.isSubscribed("rtchat/v1/lobby/will/bob")).isTrue();
    assertThat(topics.isWill("rtchat/v1/lobby/will/bob")).isTrue();
    assertThat(topics.isWill("rtchat/v1/lobby/from/bob")).isFalse();
    assertThat(topics.isSubscribed("rtchat/v1/lobby/to/bob")).isFalse();
    assertThat(topics.isSubscribed("rtchat/v1/lobby/from/bob/x")).isFalse();
    assertThat(topics.isSubscribed("rtchat/v1/lobby/from/")).isFalse();
    assertThat(topics.isSubscribed("rtchat/v1/other/from/bob")).isFalse();
    assertThat(topics.isOwnPublication("rtchat/v1/lobby/from/alice")).isTrue();
    assertThat(topics.isOwnPublication("rtchat/v1/lobby/will/alice")).isTrue();
    assertThat(topics.isOwnPublication("rtchat/v1/lobby/from/bob")).isFalse();
  }
}
