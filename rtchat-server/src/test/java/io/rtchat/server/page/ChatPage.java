package io.rtchat.server.page;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One browser showing the chat page, driven the way a person would use it. Every wait is bounded.
 * Reads go through small scripts on the page's DOM because conversations that are not on screen
 * are hidden (WebDriver's getText() returns "" for hidden elements).
 */
final class ChatPage implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(20);

  final String label;
  private final ChromeDriver driver;
  private final Runnable cleanup;

  ChatPage(String label, ChromeDriver driver, Runnable cleanup) {
    this.label = label;
    this.driver = driver;
    this.cleanup = cleanup;
  }

  ChromeDriver driver() {
    return driver;
  }

  // ---- navigation and login ------------------------------------------------------------------

  ChatPage open(URI uri) {
    driver.get(uri.toString());
    waitUntil("the page script to start", () -> Boolean.TRUE.equals(js("return window.rtchat != null")));
    return this;
  }

  /** Opens the page the way a website's "enter chat" form does: a POST with a jwt field. */
  ChatPage postToken(URI root, String token) {
    driver.get(root.resolve("/about").toString());
    js("const f = document.createElement('form'); f.method = 'POST'; f.action = '/';"
        + "const i = document.createElement('input'); i.type = 'hidden'; i.name = 'jwt'; i.value = arguments[0];"
        + "f.append(i); document.body.append(f); f.submit();", token);
    waitUntil("the page script to start", () -> Boolean.TRUE.equals(js("return window.rtchat != null")));
    return this;
  }

  ChatPage loginAsGuest(String name) {
    waitUntil("the name prompt", () -> driver.findElement(By.id("login-name")).isDisplayed()
        && driver.findElement(By.id("login-button")).isEnabled());
    WebElement input = driver.findElement(By.id("login-name"));
    input.clear();
    input.sendKeys(name);
    driver.findElement(By.id("login-button")).click();
    return this;
  }

  /** Waits until logged in and returns the name the server gave us. */
  String awaitLoggedIn() {
    waitUntil("login to finish", () -> Boolean.TRUE.equals(js("return window.rtchat.state.loggedIn")));
    return (String) js("return window.rtchat.state.me");
  }

  String awaitLoginError() {
    waitUntil("a login error", () -> !loginError().isEmpty());
    return loginError();
  }

  String loginError() {
    return (String) js("return document.getElementById('login-error').textContent");
  }

  boolean loginCardShown() {
    return driver.findElement(By.id("login")).isDisplayed();
  }

  // ---- chat ----------------------------------------------------------------------------------

  void openConversation(String id) {
    showDrawer("show-channels");
    driver.findElement(By.cssSelector("#sidebar li[data-conv='" + id + "'] button")).click();
  }

  String activeConversation() {
    return (String) js("return window.rtchat.state.active");
  }

  void send(String text) {
    WebElement box = driver.findElement(By.id("message-box"));
    waitUntil("the message box to be enabled", box::isEnabled);
    box.sendKeys(text);
    box.sendKeys(Keys.ENTER);
  }

  /** "user: text" for each chat line of a conversation, in order. */
  @SuppressWarnings("unchecked")
  List<String> lines(String conversation) {
    List<Object> raw = (List<Object>) js(
        "const log = document.querySelector('#chat-history .log[data-conv=\"' + CSS.escape(arguments[0]) + '\"]');"
            + "if (!log) return [];"
            + "return [...log.querySelectorAll('.msg')].map(m => m.dataset.user + ': ' + m.querySelector('.msg-body').textContent.trim());",
        conversation);
    return raw.stream().map(String::valueOf).collect(Collectors.toList());
  }

  /** Text of every notice (welcome, presence, error) in a conversation. */
  @SuppressWarnings("unchecked")
  List<String> notices(String conversation) {
    List<Object> raw = (List<Object>) js(
        "const log = document.querySelector('#chat-history .log[data-conv=\"' + CSS.escape(arguments[0]) + '\"]');"
            + "if (!log) return [];"
            + "return [...log.querySelectorAll('.notice')].map(m => m.textContent.trim());",
        conversation);
    return raw.stream().map(String::valueOf).collect(Collectors.toList());
  }

  /** Displayed author of each chat line of a conversation. */
  @SuppressWarnings("unchecked")
  List<String> authors(String conversation) {
    List<Object> raw = (List<Object>) js(
        "const log = document.querySelector('#chat-history .log[data-conv=\"' + CSS.escape(arguments[0]) + '\"]');"
            + "if (!log) return [];"
            + "return [...log.querySelectorAll('.msg .msg-author')].map(a => a.textContent);",
        conversation);
    return raw.stream().map(String::valueOf).collect(Collectors.toList());
  }

  void awaitLine(String conversation, String line) {
    waitUntil("line '" + line + "' in " + conversation, () -> lines(conversation).contains(line));
  }

  void awaitNotice(String conversation, String fragment) {
    waitUntil("notice containing '" + fragment + "' in " + conversation,
        () -> notices(conversation).stream().anyMatch(n -> n.contains(fragment)));
  }

  /** Unread count shown next to a conversation in the sidebar (0 when no marker is shown). */
  long unread(String conversation) {
    Object n = js("const b = document.querySelector('#sidebar li[data-conv=\"' + CSS.escape(arguments[0]) + '\"] .unread');"
        + "return b && !b.hidden ? parseInt(b.textContent, 10) : 0;", conversation);
    return ((Number) n).longValue();
  }

  boolean hasConversation(String id) {
    return Boolean.TRUE.equals(js("return window.rtchat.state.convs.has(arguments[0])", id));
  }

  // ---- who list ------------------------------------------------------------------------------

  private String whoItem(String user) {
    return "#who-list li[data-user='" + user + "']";
  }

  void awaitInWhoList(String user) {
    waitUntil(user + " in the who list", () -> !driver.findElements(By.cssSelector(whoItem(user))).isEmpty());
  }

  /** Clicking a name opens the direct message conversation with that person. */
  void clickName(String user) {
    showDrawer("show-who");
    awaitInWhoList(user);
    driver.findElement(By.cssSelector(whoItem(user) + " .who-name")).click();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> whoEntry(String user) {
    return (Map<String, Object>) js(
        "const li = [...document.querySelectorAll('#who-list li')].find(l => l.dataset.user === arguments[0]);"
            + "if (!li) return null;"
            + "const img = li.querySelector('.avatar img');"
            + "return {display: li.querySelector('.who-display').textContent,"
            + " badges: [...li.querySelectorAll('.badge')].map(b => b.textContent),"
            + " avatar: img ? img.getAttribute('src') : null,"
            + " camera: !li.querySelector('.who-cam').hidden};",
        user);
  }

  /** Badge texts (op, vip, you, muted, ...) next to a name; empty when the name is not listed. */
  List<String> badges(String user) {
    Map<String, Object> e = whoEntry(user);
    if (e == null) {
      return List.of();
    }
    return ((List<?>) e.get("badges")).stream().map(String::valueOf).collect(Collectors.toList());
  }

  void awaitCameraIcon(String user) {
    waitUntil("camera icon of " + user, () -> {
      Map<String, Object> e = whoEntry(user);
      return e != null && Boolean.TRUE.equals(e.get("camera"));
    });
  }

  void awaitNoCameraIcon(String user) {
    waitUntil("no camera icon for " + user, () -> {
      Map<String, Object> e = whoEntry(user);
      return e != null && !Boolean.TRUE.equals(e.get("camera"));
    });
  }

  void closeUserMenu() {
    driver.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
    waitUntil("the menu to close", () -> !driver.findElement(By.id("user-menu")).isDisplayed());
  }

  void openUserMenu(String user) {
    showDrawer("show-who");
    awaitInWhoList(user);
    driver.findElement(By.cssSelector(whoItem(user) + " .who-more")).click();
  }

  @SuppressWarnings("unchecked")
  List<String> userMenuItems() {
    return ((List<Object>) js("return [...document.querySelectorAll('#user-menu .menu-item')].map(b => b.textContent)"))
        .stream().map(String::valueOf).collect(Collectors.toList());
  }

  void clickUserMenuItem(String text) {
    driver.findElements(By.cssSelector("#user-menu .menu-item")).stream()
        .filter(b -> b.getText().startsWith(text)).findFirst()
        .orElseThrow(() -> new AssertionError("no menu item " + text + " in " + userMenuItems()))
        .click();
  }

  // ---- webcams -------------------------------------------------------------------------------

  void startWebcam() {
    driver.findElement(By.id("cam-toggle")).click();
    waitUntil("my own camera preview", () -> Boolean.TRUE.equals(js(
        "const v = document.querySelector('#my-feed video'); return v != null && v.readyState >= 2 && v.videoWidth > 0")));
  }

  void stopWebcam() {
    driver.findElement(By.id("cam-toggle")).click();
    waitUntil("my camera to stop", () -> Boolean.TRUE.equals(js("return document.getElementById('my-feed') == null")));
  }

  void openFeedOf(String user) {
    showDrawer("show-who");
    awaitCameraIcon(user);
    driver.findElement(By.cssSelector(whoItem(user) + " .who-cam")).click();
  }

  /** readyState, videoWidth and videoHeight of the feed of `user`, or null while there is none. */
  @SuppressWarnings("unchecked")
  Map<String, Object> feed(String user) {
    return (Map<String, Object>) js(
        "const f = [...document.querySelectorAll('#videos .feed:not(.local)')].find(t => t.dataset.user === arguments[0]);"
            + "if (!f) return null; const v = f.querySelector('video');"
            + "return {readyState: v.readyState, videoWidth: v.videoWidth, videoHeight: v.videoHeight, hasStream: v.srcObject != null};",
        user);
  }

  void awaitFrames(String user) {
    waitUntil("video frames from " + user, () -> {
      Map<String, Object> f = feed(user);
      return f != null && ((Number) f.get("readyState")).intValue() >= 2 && ((Number) f.get("videoWidth")).intValue() > 0;
    });
  }

  void closeFeedOf(String user) {
    driver.findElement(By.cssSelector("#videos .feed[data-user='" + user + "']:not(.local) .feed-close")).click();
    waitUntil("the feed of " + user + " to close", () -> feed(user) == null);
  }

  // ---- layout and screenshots ----------------------------------------------------------------

  /** Emulates a device viewport (CSS pixels), e.g. 390x844 for a phone, 1280x800 for a desktop. */
  void viewport(int width, int height, boolean mobile) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    waitUntil("the viewport to be " + width + " wide",
        () -> ((Number) js("return window.innerWidth")).intValue() == width);
    awaitStillLayout();
  }

  /** Waits until no CSS transition or animation runs (drawers slide), so screenshots are stable. */
  void awaitStillLayout() {
    waitUntil("transitions to end", () -> ((Number) js("return document.getAnimations().length")).intValue() == 0);
  }

  /** Opens a phone drawer (channels or people) when the layout has drawers; no-op on desktop. */
  void showDrawer(String cls) {
    js("if (window.innerWidth < 800) { document.body.classList.remove('show-channels', 'show-who');"
        + " document.body.classList.add(arguments[0]); }", cls);
    awaitStillLayout();
  }

  void closeDrawers() {
    js("document.body.classList.remove('show-channels', 'show-who')");
    awaitStillLayout();
  }

  Path screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  void resetViewport() {
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  /** Fails unless the page has no sideways scrolling and its main controls are on screen. */
  @SuppressWarnings("unchecked")
  void assertFitsViewport() {
    Map<String, Object> r = (Map<String, Object>) js(
        "const inView = id => { const b = document.getElementById(id).getBoundingClientRect();"
            + " return b.width > 0 && b.left >= 0 && b.top >= 0 && b.right <= innerWidth && b.bottom <= innerHeight; };"
            + "return {overflow: document.documentElement.scrollWidth - innerWidth,"
            + " box: inView('message-box'), send: inView('send-button'), cam: inView('cam-toggle')};");
    if (((Number) r.get("overflow")).intValue() > 0 || !Boolean.TRUE.equals(r.get("box"))
        || !Boolean.TRUE.equals(r.get("send")) || !Boolean.TRUE.equals(r.get("cam"))) {
      throw new AssertionError(label + ": page does not fit the viewport: " + r);
    }
  }

  // ---- misc ----------------------------------------------------------------------------------

  /**
   * Runs the page's own renderServerHtml (ui/dom.js) on {@code html}, attaches the result to the
   * document and returns it serialized, plus every attribute as "tag@name=value".
   */
  @SuppressWarnings("unchecked")
  Map<String, Object> renderServerHtml(String html) {
    return (Map<String, Object>) driver.executeAsyncScript(
        "const [input, done] = arguments;"
            + "import('/ui/dom.js').then(({ renderServerHtml }) => {"
            + "  const box = document.createElement('div'); box.append(renderServerHtml(input)); document.body.append(box);"
            + "  done({html: box.innerHTML, text: box.textContent,"
            + "    attrs: [...box.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => e.tagName.toLowerCase() + '@' + a.name + '=' + a.value))});"
            + "}, e => done({error: String(e)}));",
        html);
  }

  List<String> attributes(Map<String, Object> rendered) {
    return ((List<?>) rendered.get("attrs")).stream().map(String::valueOf).collect(Collectors.toList());
  }

  String pageText() {
    return (String) js("return document.body.textContent");
  }

  /** True when a JavaScript dialog (alert, confirm, prompt) is open. */
  boolean dialogOpen() {
    try {
      driver.switchTo().alert();
      return true;
    } catch (NoAlertPresentException e) {
      return false;
    }
  }

  /** False once the browser or its driver died (or a dialog blocks it). */
  boolean alive() {
    try {
      driver.getWindowHandle();
      return !dialogOpen();
    } catch (RuntimeException e) {
      return false;
    }
  }

  void dropSocket() {
    js("window.rtchat.dropSocket()");
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  void waitUntil(String what, java.util.function.BooleanSupplier condition) {
    new WebDriverWait(driver, WAIT, Duration.ofMillis(100))
        .withMessage(() -> label + ": waiting for " + what + consoleTail())
        .until(d -> condition.getAsBoolean());
  }

  /** The last browser console lines, for failure messages. */
  String consoleTail() {
    try {
      List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
      if (entries.isEmpty()) {
        return "";
      }
      return "\nbrowser console of " + label + ":\n" + entries.stream()
          .skip(Math.max(0, entries.size() - 15))
          .map(e -> "  " + e.getLevel() + " " + e.getMessage())
          .collect(Collectors.joining("\n"));
    } catch (RuntimeException e) {
      return "";
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      cleanup.run();
    }
  }
}
