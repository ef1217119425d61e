package io.rtchat.server.page;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Starts Debian's headless Chromium through Debian's chromedriver, never anything downloaded:
 * both paths are given explicitly, so Selenium Manager is not consulted (and is told to stay
 * offline in case it were). Each browser gets its own fresh profile directory, removed on close.
 */
final class Chromium {

  static final Path BROWSER = Path.of(System.getProperty("rtchat.chromium", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("rtchat.chromedriver", "/usr/bin/chromedriver"));

  private Chromium() {}

  /** Why the browser tests cannot run here, or null when they can. */
  static String missing() {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      return "browser tests need Debian's chromium and chromedriver at " + BROWSER + " and " + DRIVER
          + ": apt-get install -y chromium chromium-driver";
    }
    return null;
  }

  /** A new headless browser with a fake camera and microphone that need no permission prompt. */
  static ChatPage launch(String label) {
    System.setProperty("SE_OFFLINE", "true");
    Path profile;
    try {
      profile = Files.createTempDirectory("rtchat-chromium-" + label + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        // Machines with only a loopback interface still get ICE candidates.
        "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,800",
        "--user-data-dir=" + profile);
    // A dialog must not be dismissed silently: the injection test looks for one.
    options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort()
        .withEnvironment(Map.of("SE_OFFLINE", "true"))
        .build();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      deleteTree(profile);
      throw e;
    }
    return new ChatPage(label, driver, () -> deleteTree(profile));
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A leftover temp profile is harmless; the browser may still be releasing a file.
    }
  }
}
