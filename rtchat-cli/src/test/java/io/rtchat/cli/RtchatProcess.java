package io.rtchat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code java -jar rtchat.jar ARGS} as a child process: stdin is driven line by line, every stdout
 * line is kept (and parsed as JSON where it is one), stderr goes to a file under target/. Always
 * {@link #close()} it: the process is killed if it is still running.
 */
final class RtchatProcess implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  final String label;
  private final Process process;
  private final Thread reader;
  private final Path stderr;
  private final List<String> lines = new ArrayList<>();
  private final List<JsonNode> events = new ArrayList<>();
  private final List<String> notJson = new ArrayList<>();

  private RtchatProcess(String label, Process process, Path stderr) {
    this.label = label;
    this.process = process;
    this.stderr = stderr;
    this.reader = new Thread(this::readStdout, "stdout-" + label);
    reader.setDaemon(true);
    reader.start();
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("rtchat.jar", "target/rtchat.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run mvn package first");
    }
    return jar;
  }

  static RtchatProcess start(String label, Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar().toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    Files.createDirectories(workDir);
    Path stderr = logs.resolve(label + "-" + System.nanoTime() + ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectError(stderr.toFile());
    return new RtchatProcess(label, builder.start(), stderr);
  }

  private void readStdout() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode event = null;
        try {
          JsonNode node = MAPPER.readTree(line);
          if (node != null && node.isObject()) {
            event = node;
          }
        } catch (IOException e) {
          // recorded below
        }
        synchronized (this) {
          lines.add(line);
          if (event != null) {
            events.add(event);
          } else {
            notJson.add(line);
          }
          notifyAll();
        }
      }
    } catch (IOException e) {
      // process gone
    }
  }

  void send(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  void closeStdin() throws IOException {
    process.getOutputStream().close();
  }

  /** Waits for the first event matching {@code filter}; fails after {@code timeout}. */
  synchronized JsonNode await(String what, Duration timeout, Predicate<JsonNode> filter)
      throws InterruptedException {
    return awaitFirst(what, timeout, events, filter);
  }

  /** Waits for a stdout line (JSON or not) matching {@code filter}. */
  synchronized String awaitLine(String what, Duration timeout, Predicate<String> filter)
      throws InterruptedException {
    return awaitFirst(what, timeout, lines, filter);
  }

  /** Fails early once the process and its stdout have ended: nothing more can arrive. */
  private <T> T awaitFirst(String what, Duration timeout, List<T> seen, Predicate<T> filter)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (T item : seen) {
        if (filter.test(item)) {
          return item;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
        throw new AssertionError(label + ": no " + what + " within " + timeout + "; stdout: " + lines
            + "; stderr tail: " + stderrTail());
      }
      TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
    }
  }

  /** Waits for {@code rtchat server}'s "listening on URL" line; returns the URL (http://HOST:PORT). */
  String awaitListening() throws InterruptedException {
    String line = awaitLine("listening line", seconds(60), LISTENING.asPredicate());
    return LISTENING.matcher(line).results().findFirst().orElseThrow().group(1);
  }

  JsonNode awaitEvent(String event, Duration timeout, Predicate<JsonNode> filter)
      throws InterruptedException {
    return await("'" + event + "' event", timeout,
        e -> event.equals(e.path("event").asText()) && filter.test(e));
  }

  /** Waits for the process to exit and its stdout to be read to the end; returns the exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(label + " still running after " + timeout + "; stdout: " + lines
          + "; stderr tail: " + stderrTail());
    }
    reader.join(5_000);
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM. */
  void terminate() {
    process.destroy();
  }

  synchronized List<String> stdoutLines() {
    return List.copyOf(lines);
  }

  synchronized List<String> nonJsonLines() {
    return List.copyOf(notJson);
  }

  String stderrText() {
    try {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private String stderrTail() {
    String text = stderrText();
    return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    reader.join(2_000);
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
