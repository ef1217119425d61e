package io.rtchat.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ServerHost} child JVM, seen from the bench. Its stdout is read all the time (a full pipe
 * would block the child); lines of its protocol go to a queue. Closing it ends only that process.
 */
final class ChildServer implements AutoCloseable {

  /** Logback configuration of the bench: stderr, WARN unless RTCHAT_LOG_LEVEL says otherwise. */
  static final String LOGBACK_RESOURCE = "rtchat-bench-logback.xml";

  private final Process process;
  private final PrintWriter stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  final int port;

  private ChildServer(Process process) throws Exception {
    this.process = process;
    this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader = Daemon.named("server-host-out").newThread(() -> {
      try (BufferedReader stdout = new BufferedReader(new InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = stdout.readLine()) != null) {
          if (line.startsWith("port ") || line.startsWith("heap ")) {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      lines.add(END);
    });
    reader.start();
    String line = readLine("port ", 60);
    this.port = Integer.parseInt(line.substring("port ".length()).trim());
  }

  private static final String END = "\u0000end";

  /** Starts {@link ServerHost} with these arguments ({@code rtchat}, {@code raw} ...). */
  static ChildServer start(String... hostArgs) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>(List.of(java, "-Xmx2g", "-DRTCHAT_LOG_LEVEL=WARN",
        "-Dlogback.configurationFile=" + LOGBACK_RESOURCE,
        "-cp", System.getProperty("java.class.path"), ServerHost.class.getName()));
    command.addAll(List.of(hostArgs));
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      return new ChildServer(process);
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** The child's used heap after GC, in bytes. */
  long heap() throws Exception {
    stdin.println("heap");
    String line = readLine("heap ", 60);
    return Long.parseLong(line.substring("heap ".length()).trim());
  }

  private String readLine(String prefix, int timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new TimeoutException("server process printed no '" + prefix + "' line within "
            + timeoutSeconds + " s");
      }
      if (line.equals(END)) {
        lines.add(END);
        throw new IllegalStateException("server process ended before printing '" + prefix + "'");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stdin.println("quit");
    stdin.close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
