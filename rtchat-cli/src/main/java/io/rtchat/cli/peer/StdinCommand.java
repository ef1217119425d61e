package io.rtchat.cli.peer;

/** One line of {@code rtchat peer}'s stdin, parsed. */
sealed interface StdinCommand {

  String HELP = "commands: TEXT | /msg PEER TEXT | /ask PEER TOPIC CONTENT | /send PEER FILE [AS-NAME]"
      + " | /peers | /quit  (start a line with // to send text beginning with /)";

  /** Chat text to every connected peer. */
  record Broadcast(String text) implements StdinCommand {}

  record Direct(String peer, String text) implements StdinCommand {}

  record Ask(String peer, String topic, String content) implements StdinCommand {}

  /** {@code asName} is the file name offered to the receiver; null means the file's own name. */
  record Send(String peer, String file, String asName) implements StdinCommand {}

  record Peers() implements StdinCommand {}

  record Quit() implements StdinCommand {}

  /** A blank line: nothing to do. */
  record Nothing() implements StdinCommand {}

  record Invalid(String message) implements StdinCommand {}

  static StdinCommand parse(String line) {
    if (line.isBlank()) {
      return new Nothing();
    }
    if (line.startsWith("//")) {
      return new Broadcast(line.substring(1));
    }
    if (!line.startsWith("/")) {
      return new Broadcast(line);
    }
    String[] words = line.strip().split("\\s+", 2);
    String rest = words.length > 1 ? words[1] : "";
    switch (words[0]) {
      case "/quit", "/exit" -> {
        return new Quit();
      }
      case "/peers" -> {
        return new Peers();
      }
      case "/msg" -> {
        String[] a = rest.split("\\s+", 2);
        return a.length < 2 || a[1].isEmpty()
            ? new Invalid("usage: /msg PEER TEXT") : new Direct(a[0], a[1]);
      }
      case "/ask" -> {
        String[] a = rest.split("\\s+", 3);
        return a.length < 2 || a[0].isEmpty()
            ? new Invalid("usage: /ask PEER TOPIC CONTENT")
            : new Ask(a[0], a[1], a.length > 2 ? a[2] : "");
      }
      case "/send" -> {
        String[] a = rest.split("\\s+", 3);
        return a.length < 2 || a[0].isEmpty()
            ? new Invalid("usage: /send PEER FILE [AS-NAME]")
            : new Send(a[0], a[1], a.length > 2 ? a[2].strip() : null);
      }
      default -> {
        return new Invalid("unknown command " + words[0] + "; " + HELP);
      }
    }
  }
}
