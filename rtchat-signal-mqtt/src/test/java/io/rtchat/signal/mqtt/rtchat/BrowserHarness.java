package io.rtchat.signal.mqtt.rtchat;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The browser side of the RTChat dialect tests: our own small JS client of the spec
 * (src/test/resources/rtchat-harness, with mqtt.js 5 and lz-string 1.4.4 from npm) served from
 * 127.0.0.1 (a secure context for WebCrypto) to Debian's headless Chromium.
 */
final class BrowserHarness implements AutoCloseable {

  static final Path BROWSER = Path.of(System.getProperty("rtchat.chromium", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("rtchat.chromedriver", "/usr/bin/chromedriver"));
  static final Path NPM_DIR = Path.of("target", "rtchat-harness").toAbsolutePath();
  static final Path MQTT_JS = NPM_DIR.resolve("node_modules/mqtt/dist/mqtt.min.js");
  static final Path LZ_JS = NPM_DIR.resolve("node_modules/lz-string/libs/lz-string.min.js");

  private final HttpServer http;
  private final ChromeDriver driver;
  private final Path profile;

  private BrowserHarness(HttpServer http, ChromeDriver driver, Path profile) {
    this.http = http;
    this.driver = driver;
    this.profile = profile;
  }

  /** Why the browser tests cannot run here, or null when they can. */
  static String missing() {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      return "the RTChat browser tests need Debian's chromium and chromedriver at " + BROWSER
          + " and " + DRIVER + ": apt-get install -y chromium chromium-driver";
    }
    if (!onPath("npm")) {
      return "the RTChat browser tests need npm (Node.js 20) to fetch mqtt.js and lz-string";
    }
    return null;
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  static BrowserHarness start() throws IOException, InterruptedException {
    return start(false);
  }

  /**
   * Starts the browser; with {@code mdnsHostCandidates} Chromium hides its host addresses behind
   * {@code <uuid>.local} names as it does for ordinary pages.
   */
  static BrowserHarness start(boolean mdnsHostCandidates) throws IOException, InterruptedException {
    installNpmPackages();
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    Map<String, byte[]> files = Map.of(
        "/index.html", resource("index.html"),
        "/harness.js", resource("harness.js"),
        "/lib/mqtt.min.js", Files.readAllBytes(MQTT_JS),
        "/lib/lz-string.min.js", Files.readAllBytes(LZ_JS));
    http.createContext("/", exchange -> {
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        byte[] body = files.get(path.equals("/") ? "/index.html" : path);
        if (body == null) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        exchange.getResponseHeaders().set("Content-Type", path.endsWith(".js")
            ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    http.start();
    System.setProperty("SE_OFFLINE", "true");
    Path profile = Files.createTempDirectory("rtchat-harness-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile);
    if (!mdnsHostCandidates) {
      // Raw host addresses: media permission (granted by the fake UI) and no mDNS hiding.
      options.addArguments("--use-fake-ui-for-media-stream",
          "--disable-features=WebRtcHideLocalIpsWithMdns");
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort()
        .withEnvironment(Map.of("SE_OFFLINE", "true"))
        .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
      return new BrowserHarness(http, driver, profile);
    } catch (RuntimeException e) {
      http.stop(0);
      deleteTree(profile);
      throw e;
    }
  }

  /** mqtt.js 5 and lz-string 1.4.4, the libraries the RTChat page loads, from the npm registry. */
  private static void installNpmPackages() throws IOException, InterruptedException {
    if (Files.exists(MQTT_JS) && Files.exists(LZ_JS)) {
      return;
    }
    Files.createDirectories(NPM_DIR);
    Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix",
        NPM_DIR.toString(), "mqtt@5", "lz-string@1.4.4")
        .redirectErrorStream(true)
        .redirectOutput(NPM_DIR.resolve("npm.log").toFile())
        .start();
    if (!npm.waitFor(180, TimeUnit.SECONDS)) {
      npm.destroyForcibly();
      throw new IOException("npm install of mqtt@5 and lz-string@1.4.4 took over 3 minutes");
    }
    if (npm.exitValue() != 0 || !Files.exists(MQTT_JS) || !Files.exists(LZ_JS)) {
      throw new IOException("npm install of mqtt@5 and lz-string@1.4.4 failed: "
          + Files.readString(NPM_DIR.resolve("npm.log")));
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = BrowserHarness.class.getResourceAsStream("/rtchat-harness/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource rtchat-harness/" + name);
      }
      return in.readAllBytes();
    }
  }

  /** Opens the harness page as {@code name} in {@code room}. */
  void open(String name, String room, String webSocketUrl, boolean fresh) {
    open(name, room, webSocketUrl, fresh ? "&fresh=1" : "");
  }

  /** Opens the harness page with extra query parameters ({@code &key=value...}). */
  void open(String name, String room, String webSocketUrl, String extraQuery) {
    driver.get("http://127.0.0.1:" + http.getAddress().getPort() + "/index.html?name="
        + encode(name) + "&room=" + encode(room) + "&ws=" + encode(webSocketUrl) + extraQuery);
  }

  void blank() {
    driver.get("about:blank");
  }

  /** Runs {@code return <expression>} in the page. */
  Object eval(String expression) {
    return ((JavascriptExecutor) driver).executeScript("return " + expression);
  }

  /** Runs an async script whose last argument is the callback. */
  Object evalAsync(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  @SuppressWarnings("unchecked")
  List<Map<String, Object>> events() {
    return (List<Map<String, Object>>) eval("H.events");
  }

  boolean hasEvent(String kind, String peer) {
    return events().stream().anyMatch(e -> kind.equals(e.get("kind")) && peer.equals(e.get("peer")));
  }

  private static String encode(String value) {
    return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      http.stop(0);
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
