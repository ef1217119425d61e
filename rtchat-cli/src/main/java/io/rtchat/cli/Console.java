package io.rtchat.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The process's standard streams, injected so that commands never reach for {@code System.*}.
 * Stdout belongs to command output (events, the server's "listening on" line); logs and progress
 * bars use stderr.
 */
public final class Console {

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;

  public Console(InputStream in, PrintStream out, PrintStream err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  public static Console system() {
    return new Console(System.in, System.out, System.err);
  }

  public InputStream in() {
    return in;
  }

  /** Stdout. Write whole lines and flush; nothing else may write here. */
  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }

  PrintWriter humanOut() {
    return new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
  }

  PrintWriter errWriter() {
    return new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
  }
}
