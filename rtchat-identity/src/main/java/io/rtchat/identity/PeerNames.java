package io.rtchat.identity;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The names identity binds keys to — the peer names of rtchat-core: 1 to 64 characters, no control
 * characters. In the known-peers file a name is one token: {@code %}, white space and a leading
 * {@code #} are written as {@code %XX} (UTF-8), so {@code Alice Smith} becomes {@code Alice%20Smith}.
 */
final class PeerNames {

  static final int MAX_LENGTH = 64;

  private PeerNames() {}

  /** Null when the name is acceptable, else what is wrong with it. */
  static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "name is empty";
    }
    if (name.length() > MAX_LENGTH) {
      return "name is longer than " + MAX_LENGTH + " characters";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        return "name contains control characters";
      }
    }
    return null;
  }

  static String check(String name) {
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("invalid peer name: " + problem);
    }
    return name;
  }

  /** The name as one known-peers token. */
  static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); ) {
      int codePoint = name.codePointAt(i);
      boolean escape = codePoint == '%' || Character.isWhitespace(codePoint)
          || Character.isSpaceChar(codePoint) || (i == 0 && codePoint == '#');
      if (escape) {
        for (byte b : new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
      } else {
        out.appendCodePoint(codePoint);
      }
      i += Character.charCount(codePoint);
    }
    return out.toString();
  }

  /**
   * The name of a known-peers token.
   *
   * @throws IllegalArgumentException for a broken {@code %XX} escape or an invalid name
   */
  static String decode(String token) {
    if (token.indexOf('%') < 0) {
      return check(token);
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < token.length(); ) {
      int codePoint = token.codePointAt(i);
      if (codePoint == '%') {
        try {
          bytes.write(HexFormat.fromHexDigits(token, i + 1, i + 3));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("broken %-escape in name '" + token + "'");
        }
        i += 3;
      } else {
        bytes.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(codePoint);
      }
    }
    return check(bytes.toString(StandardCharsets.UTF_8));
  }
}
