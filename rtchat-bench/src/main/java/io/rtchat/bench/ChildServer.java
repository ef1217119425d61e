package io.rtchat.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link ServerHost} child JVM, seen from the bench. Closing it ends only that process. */
final class ChildServer implements AutoCloseable {

  private final Process process;
  private final BufferedReader stdout;
  private final PrintWriter stdin;
  final int port;

  private ChildServer(Process process) throws Exception {
    this.process = process;
    this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    String line = readLine("port ", 60);
    this.port = Integer.parseInt(line.substring("port ".length()).trim());
  }

  static ChildServer start(String kind) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = List.of(java, "-Xmx2g", "-DRTCHAT_LOG_LEVEL=WARN",
        "-cp", System.getProperty("java.class.path"), ServerHost.class.getName(), kind);
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
    CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
      try {
        String line;
        while ((line = stdout.readLine()) != null) {
          if (line.startsWith(prefix)) {
            return line;
          }
        }
        throw new IllegalStateException("server process ended before printing '" + prefix + "'");
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the server process: " + e.getMessage(), e);
      }
    });
    return next.get(timeoutSeconds, TimeUnit.SECONDS);
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
