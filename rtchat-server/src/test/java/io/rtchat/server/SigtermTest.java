package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** ServerMain in its own JVM: the ready line on stdout, and SIGTERM closing clients with a close frame. */
class SigtermTest {

  @Test
  void sigtermStopsTheServerAndEveryClientGetsACloseFrame() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path settings = Files.createTempFile("rtchat-sigterm-", ".toml");
    Files.writeString(settings, "[Broker]\nPort = 0\nWebSocketPort = 0\n"); // 1883 may be taken here
    Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "io.rtchat.server.ServerMain", "--config", settings.toString(), "--host", "127.0.0.1", "--port", "0"))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (Exception e) {
          return String.valueOf(e);
        }
      }).get(30, TimeUnit.SECONDS);
      Matcher m = Pattern.compile("^listening on (http://127\\.0\\.0\\.1:\\d+)$").matcher(String.valueOf(line));
      assertThat(m.matches()).as(line).isTrue();
      try (WsClient c = WsClient.login(URI.create(m.group(1)), "sigterm")) {
        p.destroy(); // SIGTERM
        assertThat(c.awaitClose()).isEqualTo(1001);
      }
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(settings);
    }
  }
}
