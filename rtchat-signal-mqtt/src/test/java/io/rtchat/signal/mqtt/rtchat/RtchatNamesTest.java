package io.rtchat.signal.mqtt.rtchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RtchatNamesTest {

  @Test
  void theInitiatorIsChosenLikeChromesLocaleCompare() {
    // Orders observed in Chromium (section 3.3): the first name offers.
    String[][] pairs = {{"alice", "Bob"}, {"a", "A"}, {"bob", "Bob"}, {"a", "Z"}, {"_a", "a"},
        {"x y", "x-y"}, {"Zoe", "Zoë"}, {"Bob", "Bob(1)"}, {"User #10", "User #5"}};
    for (String[] pair : pairs) {
      assertThat(RtchatNames.offersTo(pair[0], pair[1])).as(pair[0] + " < " + pair[1]).isTrue();
      assertThat(RtchatNames.offersTo(pair[1], pair[0])).as(pair[1] + " > " + pair[0]).isFalse();
    }
  }

  @Test
  void namesThePageCannotUseAreRefused() {
    RtchatNames.check("JavaBot");
    RtchatNames.check("User #417");
    for (String bad : new String[] {"Bob(1)", "a|b", " Bob", "Bob ", "anonymous", ""}) {
      assertThatThrownBy(() -> RtchatNames.check(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void bareNamesDropTabSuffixesAndPins() {
    assertThat(RtchatNames.bare("Alice(1)")).isEqualTo("Alice");
    assertThat(RtchatNames.bare("Alice|{key}")).isEqualTo("Alice");
    assertThat(RtchatNames.bare(" Bob ")).isEqualTo("Bob");
  }
}
