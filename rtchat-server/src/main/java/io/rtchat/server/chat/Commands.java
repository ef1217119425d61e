package io.rtchat.server.chat;

import java.util.ArrayList;
import java.util.List;

/** Shell-style splitting of operator commands ({@code /kick "bob 2"}) and the help text. */
final class Commands {
  static final String HELP = """
      Operator commands (quote names with spaces: `/kick "bob 2"`):

      * `/kick <username>` to kick from the chat room
      * `/ban <username> [hours]` to ban from the chat room (default 24 hours)
      * `/unban <username>` to lift a ban, `/bans` to list them
      * `/nsfw <username>` to mark their camera Explicit
      * `/cut <username>` to make them turn off their camera
      * `/op <username>` and `/deop <username>` to grant or revoke operator rights
      * `/unmute-all` to lift all your mutes and become unblockable
      * `/kickall` to kick everybody, `/shutdown` to stop the server
      * `/reconfigure` to reload the settings file
      * `/help` to show this message
      """;

  private Commands() {}

  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
          cur.append(line.charAt(++i));
        } else {
          cur.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (c == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else {
        cur.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(cur.toString());
    }
    return out;
  }
}
