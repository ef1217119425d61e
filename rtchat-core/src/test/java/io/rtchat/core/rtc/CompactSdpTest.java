package io.rtchat.core.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CompactSdpTest {

  private static final String OFFER = String.join("\r\n",
      "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
      "a=extmap-allow-mixed", "a=msid-semantic: WMS", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
      "c=IN IP4 0.0.0.0",
      "a=candidate:2437072876 1 udp 2122260223 10.0.0.5 44535 typ host generation 0 network-id 1",
      "a=candidate:3269334004 1 tcp 1518280447 10.0.0.5 9 typ host tcptype active generation 0 network-id 1",
      "a=ice-ufrag:AbCd", "a=ice-pwd:0123456789abcdefghijklmn", "a=ice-options:trickle",
      "a=fingerprint:sha-256 0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9",
      "a=setup:actpass", "a=mid:0", "a=sctp-port:5000", "a=max-message-size:262144", "");

  @Test
  void compactFormKeepsWhatDiffersAndExpandsToAnEquivalentSdp() {
    String compact = CompactSdp.compact(OFFER);

    assertThat(compact).startsWith("c1;AbCd;0123456789abcdefghijklmn;").hasSizeLessThan(OFFER.length() / 2)
        .contains("10.0.0.5 44535 typ host").contains("tcptype active").doesNotContain("generation");
    String expanded = CompactSdp.expand(compact);
    assertThat(expanded).contains("a=ice-ufrag:AbCd", "a=setup:actpass", "a=mid:0",
        "a=candidate:2437072876 1 udp 2122260223 10.0.0.5 44535 typ host");
    assertThat(CompactSdp.dtlsFingerprint(expanded)).isEqualTo(CompactSdp.dtlsFingerprint(OFFER));
  }

  @Test
  void sdpWithMediaTravelsWhole() {
    String withAudio = OFFER.replace("m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111");

    assertThat(CompactSdp.expand(CompactSdp.compact(withAudio))).isEqualTo(withAudio);
  }

  @Test
  void garbageIsRejectedWithAReason() {
    assertThatThrownBy(() -> CompactSdp.expand("hello")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactSdp.expand("c1;a;b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactSdp.expand("c1;a;b;AAAA;a;0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactSdp.expand("c1;a;b;" + "A".repeat(43) + ";x;0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setup");
  }
}
