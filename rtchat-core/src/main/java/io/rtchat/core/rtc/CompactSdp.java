package io.rtchat.core.rtc;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Shrinks a data-channel-only SDP to the few values that differ between connections, and rebuilds
 * an equivalent SDP from them. Cuts signaling to a few hundred bytes per description.
 *
 * <p>Compact form: {@code c1;UFRAG;PWD;FINGERPRINT;SETUP;MID;CANDIDATE...}, fields joined by
 * {@code ;}, the SHA-256 fingerprint in base64, setup as {@code a|c|p} (actpass, active, passive),
 * candidates without their {@code candidate:} prefix and without the attributes after the type and
 * related address. An SDP this class does not understand travels whole as {@code s1;SDP}.
 */
public final class CompactSdp {

  private static final String COMPACT = "c1;";
  private static final String WHOLE = "s1;";

  private CompactSdp() {}

  public static String compact(String sdp) {
    String ufrag = null;
    String pwd = null;
    String fingerprint = null;
    String setup = null;
    String mid = null;
    int mediaSections = 0;
    List<String> candidates = new ArrayList<>();
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("m=")) {
        mediaSections++;
        if (!line.startsWith("m=application ") || !line.endsWith("webrtc-datachannel")) {
          return WHOLE + sdp;
        }
      } else if (line.startsWith("a=ice-ufrag:")) {
        ufrag = line.substring(12);
      } else if (line.startsWith("a=ice-pwd:")) {
        pwd = line.substring(10);
      } else if (line.startsWith("a=fingerprint:sha-256 ")) {
        fingerprint = Base64.getEncoder().withoutPadding().encodeToString(
            HexFormat.of().parseHex(line.substring(22).replace(":", "").toLowerCase(Locale.ROOT)));
      } else if (line.startsWith("a=setup:")) {
        setup = switch (line.substring(8)) {
          case "actpass" -> "a";
          case "active" -> "c";
          case "passive" -> "p";
          default -> null;
        };
      } else if (line.startsWith("a=mid:")) {
        mid = line.substring(6);
      } else if (line.startsWith("a=candidate:")) {
        candidates.add(shortCandidate(line.substring(12)));
      }
    }
    if (mediaSections != 1 || ufrag == null || pwd == null || fingerprint == null
        || setup == null || mid == null || (ufrag + pwd + mid).contains(";")) {
      return WHOLE + sdp;
    }
    StringBuilder out = new StringBuilder(COMPACT)
        .append(ufrag).append(';').append(pwd).append(';').append(fingerprint).append(';')
        .append(setup).append(';').append(mid);
    for (String candidate : candidates) {
      out.append(';').append(candidate);
    }
    return out.toString();
  }

  /**
   * Rebuilds an SDP from {@link #compact} output.
   *
   * @throws IllegalArgumentException when the input is neither form
   */
  public static String expand(String compact) {
    if (compact.startsWith(WHOLE)) {
      return compact.substring(WHOLE.length());
    }
    if (!compact.startsWith(COMPACT)) {
      throw new IllegalArgumentException("not a compact SDP");
    }
    String[] fields = compact.substring(COMPACT.length()).split(";");
    if (fields.length < 5) {
      throw new IllegalArgumentException("compact SDP lacks fields");
    }
    byte[] digest = Base64.getDecoder().decode(fields[2]);
    if (digest.length != 32) {
      throw new IllegalArgumentException("fingerprint is not a SHA-256 digest");
    }
    String setup = switch (fields[3]) {
      case "a" -> "actpass";
      case "c" -> "active";
      case "p" -> "passive";
      default -> throw new IllegalArgumentException("unknown setup role '" + fields[3] + "'");
    };
    String mid = fields[4];
    StringBuilder sdp = new StringBuilder(512)
        .append("v=0\r\n")
        .append("o=- ").append(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE))
        .append(" 2 IN IP4 127.0.0.1\r\n")
        .append("s=-\r\nt=0 0\r\n")
        .append("a=group:BUNDLE ").append(mid).append("\r\n")
        .append("a=msid-semantic: WMS\r\n")
        .append("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n")
        .append("c=IN IP4 0.0.0.0\r\n");
    for (int i = 5; i < fields.length; i++) {
      sdp.append("a=candidate:").append(fields[i]).append("\r\n");
    }
    sdp.append("a=ice-ufrag:").append(fields[0]).append("\r\n")
        .append("a=ice-pwd:").append(fields[1]).append("\r\n")
        .append("a=ice-options:trickle\r\n")
        .append("a=fingerprint:sha-256 ").append(colonHex(digest)).append("\r\n")
        .append("a=setup:").append(setup).append("\r\n")
        .append("a=mid:").append(mid).append("\r\n")
        .append("a=sctp-port:5000\r\n")
        .append("a=max-message-size:262144\r\n");
    return sdp.toString();
  }

  /**
   * The DTLS fingerprint of an SDP as it appears there ({@code sha-256 AB:CD:...}), or {@code
   * null}.
   */
  public static String dtlsFingerprint(String sdp) {
    if (sdp == null) {
      return null;
    }
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("a=fingerprint:")) {
        return line.substring(14).trim();
      }
    }
    return null;
  }

  /** A candidate ({@code candidate:} stripped) cut after its type and related address. */
  static String shortCandidate(String candidate) {
    String[] parts = candidate.trim().split(" ");
    int end = Math.min(parts.length, 8); // foundation component transport priority ip port typ T
    for (int i = 8; i + 1 < parts.length; i += 2) {
      if (parts[i].equals("raddr") || parts[i].equals("rport") || parts[i].equals("tcptype")) {
        end = i + 2;
      }
    }
    return String.join(" ", java.util.Arrays.copyOf(parts, end));
  }

  private static String colonHex(byte[] digest) {
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
  }
}
