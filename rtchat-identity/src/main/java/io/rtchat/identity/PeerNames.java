package io.rtchat.identity;

/** The names identity binds keys to: 1 to 64 characters, no white space or control characters. */
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
    if (name.startsWith("#")) {
      return "name starts with '#'";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
        return "name contains white space or control characters";
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
}
