package io.rtchat.server.chat;

import java.util.regex.Pattern;

/**
 * Username rules (fix for spec §8.5.6): 1..32 characters of letters, digits, marks, '_', '-', '.',
 * with single inner spaces; "ChatServer" is reserved.
 */
final class Usernames {
  static final int MAX_LENGTH = 32;
  private static final Pattern VALID = Pattern.compile("[\\p{L}\\p{M}\\p{N}_.\\-]+( [\\p{L}\\p{M}\\p{N}_.\\-]+)*");

  private Usernames() {}

  /** Null when valid, else the reason. */
  static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "a username is required";
    }
    if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
      return "usernames are at most " + MAX_LENGTH + " characters";
    }
    if (!VALID.matcher(name).matches()) {
      return "usernames may contain letters, digits, '_', '-', '.' and single spaces between words";
    }
    if (name.equalsIgnoreCase("ChatServer")) {
      return "that name is reserved";
    }
    return null;
  }
}
