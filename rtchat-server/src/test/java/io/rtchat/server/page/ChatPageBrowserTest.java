package io.rtchat.server.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.server.RtchatServer;
import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsLoader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chat page served by rtchat-server, used by real headless Chromium browsers with a fake
 * camera. One server and up to three browsers are shared by the tests (CPU is scarce); each test
 * reloads the page and logs in under its own names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChatPageBrowserTest {

  static final String SECRET = "page-test-secret-0123456789abcdef0123456789";
  static final String EVIL = "<img src=x onerror=alert(1)>";
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private RtchatServer server;
  private URI base;
  private final TestTokens tokens = new TestTokens(SECRET);
  private final ChatPage[] browsers = new ChatPage[3];

  /** On failure, keeps what each browser showed (before @AfterEach navigates away). */
  @RegisterExtension
  final AfterTestExecutionCallback keepFailureEvidence = context -> {
    if (context.getExecutionException().isEmpty()) {
      return;
    }
    for (ChatPage p : browsers) {
      if (p != null) {
        try {
          p.screenshot(SCREENSHOTS.resolve("failed-" + context.getRequiredTestMethod().getName() + "-" + p.label + ".png"));
          System.err.println(context.getRequiredTestMethod().getName() + p.consoleTail());
        } catch (RuntimeException e) {
          System.err.println("no failure screenshot of " + p.label + ": " + e);
        }
      }
    }
  };

  static String settingsToml(boolean strict) {
    return """
        Title = "rtchat test room"
        Branding = "<strong>rtchat</strong> <em>test room</em>"
        WebsiteURL = "https://www.example.com"
        AdminAPIKey = "page-test-admin-key-0123456789abcdef"

        [JWT]
        Enabled = true
        Strict = %s
        SecretKey = "%s"

        [TURN]
        URLs = []

        [[PublicChannels]]
        ID = "lobby"
        Name = "Lobby"
        EchoMessagesOnJoin = 10
        WelcomeMessages = ["Welcome to the **test** lobby!"]

        [[PublicChannels]]
        ID = "offtopic"
        Name = "Off Topic"
        """.formatted(strict, SECRET);
  }

  static RtchatServer newServer(boolean strict) throws Exception {
    return newServer(strict, 0);
  }

  static RtchatServer newServer(boolean strict, int port) throws Exception {
    Settings settings = SettingsLoader.parse("page-test.toml", settingsToml(strict));
    return RtchatServer.builder().settings(settings).host("127.0.0.1").port(port).build();
  }

  @BeforeAll
  void startServer() throws Exception {
    String missing = Chromium.missing();
    assertThat(missing).as("browser test prerequisites").isNull();
    server = newServer(false);
    base = server.start();
  }

  /** Browser number i (0..2), started on first use and kept for the following tests. */
  private ChatPage browser(int i) {
    if (browsers[i] != null && !browsers[i].alive()) {
      // A crashed browser must not fail every later test too.
      try {
        browsers[i].close();
      } catch (RuntimeException e) {
        // already gone
      }
      browsers[i] = null;
    }
    if (browsers[i] == null) {
      browsers[i] = Chromium.launch(List.of("first", "second", "third").get(i));
    }
    return browsers[i];
  }

  @AfterEach
  void leavePages() {
    // Leaving the page closes its socket, so the next test starts with an empty room.
    for (ChatPage p : browsers) {
      if (p != null && p.alive()) {
        p.resetViewport();
        p.driver().get("about:blank");
      }
    }
  }

  @AfterAll
  void quitBrowsersAndServer() throws Exception {
    List<RuntimeException> failures = new ArrayList<>();
    for (int i = 0; i < browsers.length; i++) {
      if (browsers[i] != null) {
        try {
          browsers[i].close();
        } catch (RuntimeException e) {
          failures.add(e);
        }
        browsers[i] = null;
      }
    }
    if (server != null) {
      server.close();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private URI withToken(URI root, String token) {
    return URI.create(root + "/?jwt=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void guestsChatInAChannelAndDirectMessagesReachOnlyTheTwoOfThem() {
    ChatPage ann = browser(0).open(base);
    ChatPage ben = browser(1).open(base);
    ChatPage cat = browser(2).open(base);
    assertThat(ann.driver().getTitle()).isEqualTo("rtchat test room");
    assertThat(ann.js("return document.querySelector('#branding em').textContent")).as("Branding is HTML").isEqualTo("test room");
    ann.loginAsGuest("Ann");
    ben.loginAsGuest("Ben");
    cat.loginAsGuest("Cat");
    assertThat(ann.awaitLoggedIn()).isEqualTo("Ann");
    assertThat(ben.awaitLoggedIn()).isEqualTo("Ben");
    assertThat(cat.awaitLoggedIn()).isEqualTo("Cat");
    ann.awaitNotice("lobby", "Welcome to the test lobby!");
    cat.openConversation("offtopic");

    ann.send("Hello from Ann");
    for (ChatPage p : List.of(ann, ben, cat)) {
      p.awaitLine("lobby", "Ann: Hello from Ann");
    }
    assertThat(cat.unread("lobby")).as("unread marker on the lobby Cat is not looking at").isEqualTo(1);
    cat.openConversation("lobby");
    assertThat(cat.unread("lobby")).isZero();

    ben.clickName("Ann");
    assertThat(ben.activeConversation()).isEqualTo("@Ann");
    ben.send("Secret for Ann");
    ben.awaitLine("@Ann", "Ben: Secret for Ann");
    ann.awaitLine("@Ben", "Ben: Secret for Ann");
    assertThat(ann.unread("@Ben")).as("unread marker on Ann's DM with Ben").isEqualTo(1);

    ann.openConversation("@Ben");
    assertThat(ann.unread("@Ben")).isZero();
    ann.send("Reply for Ben");
    ben.awaitLine("@Ann", "Ann: Reply for Ben");

    // Anything leaked to Cat would have been queued before this later public line.
    ben.openConversation("lobby");
    ben.send("Ben is back in the lobby");
    cat.awaitLine("lobby", "Ben: Ben is back in the lobby");
    assertThat(cat.hasConversation("@Ann")).isFalse();
    assertThat(cat.hasConversation("@Ben")).isFalse();
    assertThat(cat.pageText()).doesNotContain("Secret for Ann").doesNotContain("Reply for Ben");
  }

  @Test
  void viewerOpensSeveralWebcamsOverWebRtcAndClosesOne() {
    ChatPage ann = browser(0).open(base);
    ChatPage ben = browser(1).open(base);
    ChatPage cat = browser(2).open(base);
    ann.loginAsGuest("Cam Ann");
    ben.loginAsGuest("Cam Ben");
    cat.loginAsGuest("Cam Cat");
    ann.awaitLoggedIn();
    ben.awaitLoggedIn();
    cat.awaitLoggedIn();

    ann.startWebcam();
    ben.awaitCameraIcon("Cam Ann");
    ben.openFeedOf("Cam Ann");
    ben.awaitFrames("Cam Ann");
    Map<String, Object> feed = ben.feed("Cam Ann");
    assertThat(((Number) feed.get("readyState")).intValue()).isGreaterThanOrEqualTo(2);
    assertThat(((Number) feed.get("videoWidth")).intValue()).isPositive();
    ann.awaitNotice("lobby", "Cam Ben is now watching your camera.");

    cat.startWebcam();
    ben.openFeedOf("Cam Cat");
    ben.awaitFrames("Cam Cat");
    assertThat(ben.feed("Cam Ann")).as("the first feed stays open").isNotNull();

    ben.closeFeedOf("Cam Ann");
    assertThat(ben.feed("Cam Cat")).as("closing one feed keeps the other").isNotNull();

    // Booting a viewer off my camera closes their feed: they now see my camera as off.
    cat.openUserMenu("Cam Ben");
    cat.clickUserMenuItem("Boot off my camera");
    ben.waitUntil("Cam Cat's feed to close after the boot", () -> ben.feed("Cam Cat") == null);
    ben.awaitNoCameraIcon("Cam Cat");
    // Asking anyway (as a stale page might) is refused, and the waiting tile goes away.
    ben.js("window.rtchat.video.requestFeed(arguments[0])", "Cam Cat");
    ben.awaitNotice("lobby", "Could not open that video");
    ben.waitUntil("the refused tile to close", () -> ben.feed("Cam Cat") == null);

    ann.stopWebcam();
    ben.awaitNoCameraIcon("Cam Ann");
    assertThat(ann.badges("Cam Ann")).contains("you");
  }

  @Test
  void htmlInNamesAndMessagesIsShownAsTextAndNeverRuns() {
    ChatPage watcher = browser(0).open(base);
    watcher.loginAsGuest(EVIL);
    assertThat(watcher.awaitLoginError()).contains("not allowed");
    assertThat(watcher.dialogOpen()).isFalse();

    ChatPage evil = browser(1).open(withToken(base, tokens.token("Evil", Map.of("nick", EVIL))));
    assertThat(evil.awaitLoggedIn()).isEqualTo("Evil");
    watcher.loginAsGuest("Watcher");
    watcher.awaitLoggedIn();
    watcher.awaitInWhoList("Evil");
    assertThat(watcher.whoEntry("Evil").get("display")).isEqualTo(EVIL);

    evil.send(EVIL + " and <script>alert(2)</script> hello");
    watcher.waitUntil("Evil's line", () -> watcher.lines("lobby").stream().anyMatch(l -> l.startsWith("Evil:") && l.contains("hello")));
    assertThat(watcher.authors("lobby")).contains(EVIL);
    for (ChatPage p : List.of(watcher, evil)) {
      assertThat(p.dialogOpen()).as("an alert dialog in " + p.label).isFalse();
      assertThat(p.js("return document.querySelectorAll('img[src=\"x\"], #chat-history script, #who-list script').length"))
          .isEqualTo(0L);
    }
  }

  @Test
  void serverHtmlIsRebuiltFromAnAllowListWithoutScriptsOrHandlers() {
    ChatPage page = browser(0).open(base);
    String hostile = "<p>hi <strong>there</strong> <a href=\"https://example.com/x\">link</a></p>"
        + "<img src=x onerror=alert(1)><svg onload=alert(2)></svg><iframe src=\"javascript:alert(3)\"></iframe>"
        + "<a href=\"javascript:alert(4)\">js</a><p style=\"color:red\" onclick=\"alert(5)\">styled</p>"
        + "<img src=\"data:image/png;base64,iVBORw0KGgo=\" onload=alert(8)>"
        + "<script>alert(6)</script><math><mtext><table><mglyph><style><img src=x onerror=alert(7)>";
    Map<String, Object> out = page.renderServerHtml(hostile);
    assertThat(out).doesNotContainKey("error");
    assertThat((String) out.get("html"))
        .contains("<p>hi <strong>there</strong> ")
        .doesNotContain("<script", "<svg", "<iframe", "<style", "<math", "javascript:", "onerror", "onload", "onclick");
    assertThat(page.attributes(out)).containsExactlyInAnyOrder(
        "a@href=https://example.com/x", "a@target=_blank", "a@rel=noopener noreferrer nofollow",
        "img@class=msg-image", "img@src=data:image/png;base64,iVBORw0KGgo=", "img@alt=shared photo", "img@loading=lazy");
    assertThat((String) out.get("text")).contains("styled", "js");
    assertThat(page.dialogOpen()).isFalse();
  }

  @Test
  void jwtLoginShowsAvatarAndOperatorBadgeAndOperatorsCanKick() {
    String token = tokens.token("Opal", Map.of("op", true, "img", "/avatars/opal.png", "nick", "Opal the Op"));
    ChatPage opal = browser(0).open(withToken(base, token));
    assertThat(opal.awaitLoggedIn()).isEqualTo("Opal");
    assertThat(opal.driver().getCurrentUrl()).as("token removed from the address bar").doesNotContain("jwt=");

    ChatPage gil = browser(1).open(base);
    gil.loginAsGuest("Gil");
    gil.awaitLoggedIn();
    gil.awaitInWhoList("Opal");
    Map<String, Object> entry = gil.whoEntry("Opal");
    assertThat(entry.get("display")).isEqualTo("Opal the Op");
    assertThat(entry.get("avatar")).isEqualTo("https://www.example.com/avatars/opal.png");
    assertThat(gil.badges("Opal")).contains("op");

    gil.openUserMenu("Opal");
    assertThat(gil.userMenuItems()).contains("Direct message", "Mute").doesNotContain("Kick");
    gil.closeUserMenu();

    opal.awaitInWhoList("Gil");
    opal.openUserMenu("Gil");
    assertThat(opal.userMenuItems()).contains("Kick", "Ban for 24 hours", "Make operator");
    opal.clickUserMenuItem("Kick");
    opal.clickUserMenuItem("Kick"); // second click confirms
    assertThat(gil.awaitLoginError()).contains("kicked");
    opal.waitUntil("Gil to leave Opal's who list", () -> opal.whoEntry("Gil") == null);
  }

  @Test
  void strictModeRefusesGuestsWithAClearMessageAndAdmitsTokens() throws Exception {
    try (RtchatServer strict = newServer(true)) {
      URI root = strict.start();
      HttpResponse<String> page = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(root.resolve("/")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(403);
      assertThat(page.body()).contains("Authentication denied");

      // The page file itself (boot marker not filled in) still offers a name; the server refuses it.
      ChatPage guest = browser(0).open(root.resolve("/index.html"));
      guest.loginAsGuest("Gus");
      assertThat(guest.awaitLoginError()).contains("Server side authentication is required");
      assertThat(guest.loginCardShown()).isTrue();

      // A website may also POST the token to the page (spec §5) instead of putting it in the URL.
      ChatPage member = browser(1).postToken(root, tokens.token("Mona", Map.of()));
      assertThat(member.awaitLoggedIn()).isEqualTo("Mona");
      leavePages();
    }
  }

  @Test
  void muteHidesAUsersLinesAndBlockHidesBothFromEachOther() {
    ChatPage mia = browser(0).open(base);
    ChatPage max = browser(1).open(base);
    ChatPage moe = browser(2).open(base);
    mia.loginAsGuest("Mia");
    max.loginAsGuest("Max");
    moe.loginAsGuest("Moe");
    mia.awaitLoggedIn();
    max.awaitLoggedIn();
    moe.awaitLoggedIn();

    max.openUserMenu("Mia");
    max.clickUserMenuItem("Mute");
    max.waitUntil("the muted badge", () -> max.badges("Mia").contains("muted"));
    mia.send("Mia speaks");
    moe.awaitLine("lobby", "Mia: Mia speaks");
    moe.send("Moe speaks");
    max.awaitLine("lobby", "Moe: Moe speaks");
    assertThat(max.lines("lobby")).doesNotContain("Mia: Mia speaks");

    max.openUserMenu("Moe");
    max.clickUserMenuItem("Block");
    max.clickUserMenuItem("Block"); // confirm
    max.waitUntil("Moe to vanish for Max", () -> max.whoEntry("Moe") == null);
    moe.waitUntil("Max to vanish for Moe", () -> moe.whoEntry("Max") == null);
  }

  @Test
  void pageReconnectsAfterItsSocketDrops() {
    ChatPage rita = browser(0).open(base);
    ChatPage ray = browser(1).open(base);
    rita.loginAsGuest("Rita");
    ray.loginAsGuest("Ray");
    rita.awaitLoggedIn();
    ray.awaitLoggedIn();

    ray.send("Ray before the drop");
    rita.awaitLine("lobby", "Ray: Ray before the drop");

    rita.dropSocket();
    rita.awaitNotice("lobby", "Reconnected.");
    assertThat(rita.awaitLoggedIn()).isEqualTo("Rita");
    assertThat(rita.lines("lobby")).as("lines replayed by echo are not shown twice")
        .containsOnlyOnce("Ray: Ray before the drop");
    rita.send("Rita is still here");
    ray.awaitLine("lobby", "Rita: Rita is still here");
  }

  @Test
  void pageComesBackByItselfWhenTheServerRestarts() throws Exception {
    RtchatServer first = newServer(false);
    URI root = first.start();
    try {
      ChatPage uma = browser(0).open(root);
      ChatPage ugo = browser(1).open(root);
      uma.loginAsGuest("Uma");
      ugo.loginAsGuest("Ugo");
      uma.awaitLoggedIn();
      ugo.awaitLoggedIn();

      first.close(); // every socket is closed with 1001, as in a restart
      uma.awaitNotice("lobby", "Connection lost; reconnecting");
      try (RtchatServer second = newServer(false, root.getPort())) {
        assertThat(second.start()).isEqualTo(root);
        uma.awaitNotice("lobby", "Reconnected.");
        ugo.awaitNotice("lobby", "Reconnected.");
        assertThat(uma.awaitLoggedIn()).isEqualTo("Uma");
        uma.send("Uma made it back");
        ugo.awaitLine("lobby", "Uma: Uma made it back");
        leavePages();
      }
    } finally {
      first.close();
    }
  }

  @Test
  void pageFitsPhoneAndDesktopScreens() {
    ChatPage dana = browser(0).open(withToken(base, tokens.token("Dana", Map.of("op", true, "nick", "Dana"))));
    ChatPage eli = browser(1).open(base);
    dana.awaitLoggedIn();
    eli.viewport(390, 844, true);
    eli.screenshot(SCREENSHOTS.resolve("phone-390x844-login.png"));
    eli.loginAsGuest("Eli");
    eli.awaitLoggedIn();
    dana.startWebcam();
    eli.openFeedOf("Dana");
    eli.awaitFrames("Dana");
    dana.send("Hi Eli, welcome! Click my camera icon to watch.");
    eli.send("Hello Dana, I can see you.");
    eli.awaitLine("lobby", "Eli: Hello Dana, I can see you.");
    eli.awaitLine("lobby", "Dana: Hi Eli, welcome! Click my camera icon to watch.");

    eli.viewport(1280, 800, false);
    eli.screenshot(SCREENSHOTS.resolve("desktop-1280x800.png"));
    eli.assertFitsViewport();

    eli.viewport(390, 844, true);
    eli.screenshot(SCREENSHOTS.resolve("phone-390x844.png"));
    eli.assertFitsViewport();
    eli.showDrawer("show-who");
    eli.screenshot(SCREENSHOTS.resolve("phone-390x844-who.png"));
    eli.openFeedOf("Dana"); // already open: the drawer closes and the feed stays
    eli.showDrawer("show-channels");
    eli.screenshot(SCREENSHOTS.resolve("phone-390x844-channels.png"));
    eli.closeDrawers();
  }
}
