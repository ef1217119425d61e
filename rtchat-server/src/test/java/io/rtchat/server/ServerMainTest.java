package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of {@code java -jar rtchat-server.jar}. */
class ServerMainTest {
  @TempDir
  Path dir;

  @Test
  void printDefaultConfigWritesACommentedSettingsFile() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = ServerMain.run(new String[] {"--print-default-config"}, print(out), print(new ByteArrayOutputStream()));
    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("[JWT]", "[[PublicChannels]]", "# ");
  }

  @Test
  void aBadConfigExitsWithOneNamingFileLineAndKey() throws Exception {
    Path f = dir.resolve("bad.toml");
    Files.writeString(f, "Title = \"x\"\nTitel = \"typo\"\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ServerMain.run(new String[] {"--config", f.toString(), "--port", "0"}, print(new ByteArrayOutputStream()), print(err));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(f + ":2:").contains("Titel");
  }

  @Test
  void usageErrorsExitWithTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(ServerMain.run(new String[] {"--bogus"}, print(new ByteArrayOutputStream()), print(err))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--bogus'").contains("Usage:");
    assertThat(ServerMain.run(new String[] {"--port", "x"}, print(new ByteArrayOutputStream()), print(err))).isEqualTo(2);
  }

  @Test
  void itPrintsTheListeningLineAndStopsWhenAnOperatorShutsItDown() throws Exception {
    Path f = dir.resolve("settings.toml");
    // Any free broker ports: the embedded broker is on by default and 1883 may be taken here.
    Files.writeString(f, "AdminAPIKey = \"main-key\"\n[Broker]\nPort = 0\nWebSocketPort = 0\n");
    PipedLines lines = new PipedLines();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ServerMain.run(
        new String[] {"--config", f.toString(), "--host", "127.0.0.1", "--port", "0"}, print(lines),
        print(new ByteArrayOutputStream())));
    String line = lines.first.get(20, TimeUnit.SECONDS);
    Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    java.net.URI uri = java.net.URI.create(m.group(1));
    assertThat(Http.send(java.net.http.HttpRequest.newBuilder(uri.resolve("/api/health")).build()).status()).isEqualTo(200);
    Http.postJson(uri.resolve("/api/shutdown"), "{\"APIKey\":\"main-key\"}");
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
  }

  private static PrintStream print(OutputStream out) {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }

  /** Captures the first line written. */
  static final class PipedLines extends OutputStream {
    final CompletableFuture<String> first = new CompletableFuture<>();
    private final StringBuilder sb = new StringBuilder();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        first.complete(sb.toString());
      } else {
        sb.append((char) b);
      }
    }
  }
}
