package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §2 and §4: one test per client action, happy path and error path. */
class ChatProtocolTest {
  static RtchatServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers::threeChannels);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aPublicMessageReachesEveryoneIncludingTheSenderAsSanitizedHtmlWithAnIncreasingMsgId() {
    try (WsClient a = WsClient.login(server.uri(), "pubA"); WsClient b = WsClient.login(server.uri(), "pubB")) {
      a.send(Map.of("action", "message", "channel", "lobby", "message", "hi **there** <script>alert(1)</script>"));
      JsonNode mine = a.expectMessage("there");
      JsonNode theirs = b.expectMessage("there");
      assertThat(mine.path("message").asText()).startsWith("<p>hi <strong>there</strong>")
          .doesNotContain("<script>").contains("&lt;script&gt;");
      assertThat(theirs.path("msgID").asLong()).isEqualTo(mine.path("msgID").asLong());
      assertThat(theirs.path("username").asText()).isEqualTo("pubA");
      assertThat(theirs.path("channel").asText()).isEqualTo("lobby");
      a.send(Map.of("action", "message", "channel", "lobby", "message", "second"));
      assertThat(b.expectMessage("second").path("msgID").asLong()).isGreaterThan(mine.path("msgID").asLong());
    }
  }

  @Test
  void aMessageToAnUnknownChannelOrEmptyTextIsRefusedOrDropped() {
    try (WsClient a = WsClient.login(server.uri(), "chanA")) {
      a.send(Map.of("action", "message", "channel", "nowhere", "message", "hello"));
      a.expectError("There is no channel called nowhere.");
      a.send(Map.of("action", "message", "channel", "lobby", "message", "   "));
      a.sync();
      assertThat(a.received(n -> n.path("action").asText().equals("message")
          && n.path("channel").asText().equals("lobby"))).isEmpty();
    }
  }

  @Test
  void onlyVipsAndOpsMayPostInAVipChannel() {
    try (WsClient a = WsClient.login(server.uri(), "plainA")) {
      a.send(Map.of("action", "message", "channel", "vip", "message", "let me in"));
      a.expectError("Only VIP members may post in that channel.");
    }
  }

  @Test
  void aYoutubeLinkGetsAnEmbed() {
    try (WsClient a = WsClient.login(server.uri(), "tuber")) {
      a.send(Map.of("action", "message", "channel", "lobby", "message", "see https://www.youtube.com/watch?v=dQw4w9WgXcQ"));
      JsonNode m = a.expectMessage("youtube");
      assertThat(m.path("message").asText()).contains("<iframe").contains("https://www.youtube.com/embed/dQw4w9WgXcQ");
    }
  }

  @Test
  void aDirectMessageGoesToTheSenderOnAtRecipientAndToTheRecipientOnAtSenderWithOneMsgId() {
    try (WsClient a = WsClient.login(server.uri(), "dmA"); WsClient b = WsClient.login(server.uri(), "dmB")) {
      a.send(Map.of("action", "message", "channel", "@dmB", "message", "psst"));
      JsonNode mine = a.expectMessage("psst");
      JsonNode theirs = b.expectMessage("psst");
      assertThat(mine.path("channel").asText()).isEqualTo("@dmB");
      assertThat(theirs.path("channel").asText()).isEqualTo("@dmA");
      assertThat(theirs.path("username").asText()).isEqualTo("dmA");
      assertThat(theirs.path("msgID").asLong()).isEqualTo(mine.path("msgID").asLong());
    }
  }

  @Test
  void aDirectMessageToAnOfflineUserGivesTheSenderItsCopyAndAnError() {
    try (WsClient a = WsClient.login(server.uri(), "lonely")) {
      a.send(Map.of("action", "message", "channel", "@ghost", "message", "anyone?"));
      assertThat(a.expectMessage("anyone?").path("channel").asText()).isEqualTo("@ghost");
      a.expectError("Could not deliver your message: @ghost appears not to be online.");
    }
  }

  @Test
  void aDirectMessageToOneselfComesBackOnAtSelf() {
    try (WsClient a = WsClient.login(server.uri(), "narcissus")) {
      a.send(Map.of("action", "message", "channel", "@narcissus", "message", "note to self"));
      assertThat(a.expectMessage("note to self").path("channel").asText()).isEqualTo("@narcissus");
    }
  }

  @Test
  void aDirectMessageToSomeoneYouMutedIsRefusedAndAMutedSendersDmIsDropped() {
    try (WsClient a = WsClient.login(server.uri(), "muterA"); WsClient b = WsClient.login(server.uri(), "mutedB")) {
      a.send(Map.of("action", "mute", "username", "mutedB"));
      a.send(Map.of("action", "message", "channel", "@mutedB", "message", "hey"));
      a.expectError("You have muted mutedB and so your message has not been sent.");
      b.send(Map.of("action", "message", "channel", "@muterA", "message", "hello?"));
      b.expectMessage("hello?");
      a.sync();
      assertThat(a.received(n -> n.path("message").asText().contains("hello?"))).isEmpty();
    }
  }

  @Test
  void meStoresVideoStatusAndDndAndEveryoneGetsAWho() {
    try (WsClient a = WsClient.login(server.uri(), "meA"); WsClient b = WsClient.login(server.uri(), "meB")) {
      a.send(Map.of("action", "me", "video", 1 | 2, "status", "away", "dnd", true));
      JsonNode who = b.expect("who", n -> {
        JsonNode e = WsClient.entry(n, "meA");
        return e != null && e.path("video").asInt() == 3;
      });
      JsonNode e = WsClient.entry(who, "meA");
      assertThat(e.path("status").asText()).isEqualTo("away");
      assertThat(e.path("dnd").asBoolean()).isTrue();
      assertThat(e.has("loginAt")).isTrue();
      assertThat(e.path("op").asBoolean()).isFalse();
      a.send(Map.of("action", "me", "video", 999));
      a.expectError("\"video\" must be between 0 and 255");
    }
  }

  @Test
  void aNonOpGoingHiddenBecomesAway() {
    try (WsClient a = WsClient.login(server.uri(), "shy")) {
      a.send(Map.of("action", "me", "video", 0, "status", "hidden"));
      JsonNode who = a.expect("who", n -> WsClient.entry(n, "shy") != null
          && WsClient.entry(n, "shy").path("status").asText().equals("away"));
      assertThat(WsClient.entry(who, "shy")).isNotNull();
    }
  }

  @Test
  void whoListsAreSortedAndCarryTheRequiredFields() {
    try (WsClient z = WsClient.login(server.uri(), "zz-who"); WsClient a = WsClient.login(server.uri(), "aa-who")) {
      JsonNode who = z.expectWho(names -> names.contains(a.name) && names.contains("zz-who"));
      List<String> names = WsClient.names(who);
      assertThat(names).isSorted();
      for (JsonNode e : who.path("whoList")) {
        assertThat(e.has("username") && e.has("status") && e.has("video") && e.has("loginAt") && e.has("op")).isTrue();
      }
    }
  }

  @Test
  void muteHidesTheMuterVideoFromTheMutedAndUnmuteRestoresIt() {
    try (WsClient cam = WsClient.login(server.uri(), "camMuter"); WsClient v = WsClient.login(server.uri(), "viewerMuted")) {
      cam.send(Map.of("action", "me", "video", 1));
      v.expect("who", n -> WsClient.entry(n, "camMuter") != null && WsClient.entry(n, "camMuter").path("video").asInt() == 1);
      cam.send(Map.of("action", "mute", "username", "viewerMuted"));
      v.expect("who", n -> WsClient.entry(n, "camMuter") != null && WsClient.entry(n, "camMuter").path("video").asInt() == 0);
      cam.send(Map.of("action", "unmute", "username", "viewerMuted"));
      v.expect("who", n -> WsClient.entry(n, "camMuter") != null && WsClient.entry(n, "camMuter").path("video").asInt() == 1);
    }
  }

  @Test
  void mutingSomeoneHidesTheirPublicLines() {
    try (WsClient a = WsClient.login(server.uri(), "quietA"); WsClient b = WsClient.login(server.uri(), "noisyB")) {
      a.send(Map.of("action", "mute", "username", "noisyB"));
      a.sync();
      b.send(Map.of("action", "message", "channel", "lobby", "message", "blah blah"));
      b.expectMessage("blah blah");
      a.send(Map.of("action", "message", "channel", "lobby", "message", "after-mute"));
      a.expectMessage("after-mute");
      assertThat(a.received(n -> n.path("message").asText().contains("blah blah"))).isEmpty();
    }
  }

  @Test
  void blockHidesBothUsersFromEachOthersWhoAndDropsTheirTraffic() {
    try (WsClient a = WsClient.login(server.uri(), "blockerA"); WsClient b = WsClient.login(server.uri(), "blockedB")) {
      a.send(Map.of("action", "block", "username", "blockedB"));
      b.expectWho(names -> names.contains("blockedB") && !names.contains("blockerA"));
      a.expectWho(names -> names.contains("blockerA") && !names.contains("blockedB"));
      b.send(Map.of("action", "message", "channel", "lobby", "message", "can you hear me"));
      b.expectMessage("can you hear me");
      b.send(Map.of("action", "message", "channel", "@blockerA", "message", "dm through block"));
      b.expectMessage("dm through block");
      a.sync();
      assertThat(a.received(n -> n.path("message").asText().contains("hear me")
          || n.path("message").asText().contains("dm through block"))).isEmpty();
    }
  }

  @Test
  void blocklistMutesAndBlocksEveryListedName() {
    try (WsClient a = WsClient.login(server.uri(), "listerA"); WsClient b = WsClient.login(server.uri(), "listedB")) {
      a.send(Map.of("action", "blocklist", "usernames", List.of("listedB", "someoneElse")));
      a.expectWho(names -> names.contains("listerA") && !names.contains(b.name));
    }
  }

  @Test
  void bootZeroesTheBroadcastForTheBootedViewerOnly() {
    try (WsClient cam = WsClient.login(server.uri(), "booter"); WsClient v = WsClient.login(server.uri(), "bootee");
        WsClient w = WsClient.login(server.uri(), "bystander")) {
      cam.send(Map.of("action", "me", "video", 1));
      cam.send(Map.of("action", "boot", "username", "bootee"));
      cam.sync(); // both are processed before the viewer's open
      v.expect("who", n -> WsClient.entry(n, "booter") != null && WsClient.entry(n, "booter").path("video").asInt() == 0
          && v.received(x -> true).size() > 0);
      w.expect("who", n -> WsClient.entry(n, "booter") != null && WsClient.entry(n, "booter").path("video").asInt() == 1);
      v.send(Map.of("action", "open", "username", "booter"));
      v.expectError("You do not have permission to view that camera.");
      cam.send(Map.of("action", "unboot", "username", "bootee"));
      v.expect("who", n -> WsClient.entry(n, "booter") != null && WsClient.entry(n, "booter").path("video").asInt() == 1);
    }
  }

  @Test
  void videoInviteSetsTheInvitedBitForTheInviteeOnly() {
    try (WsClient cam = WsClient.login(server.uri(), "inviter"); WsClient v = WsClient.login(server.uri(), "invitee");
        WsClient w = WsClient.login(server.uri(), "notInvited")) {
      cam.send(Map.of("action", "video-invite", "usernames", List.of("invitee")));
      cam.send(Map.of("action", "me", "video", 1 | 16));
      v.expect("who", n -> WsClient.entry(n, "inviter") != null && WsClient.entry(n, "inviter").path("video").asInt() == (1 | 16 | 128));
      w.expect("who", n -> WsClient.entry(n, "inviter") != null && WsClient.entry(n, "inviter").path("video").asInt() == (1 | 16));
      v.send(Map.of("action", "open", "username", "inviter"));
      v.expect("open");
      w.send(Map.of("action", "open", "username", "inviter"));
      w.expectError("has requested that you should share your own camera too");
    }
  }

  @Test
  void takebackByTheOwnerRemovesTheLineForEveryoneAndOthersAreRefused() {
    try (WsClient a = WsClient.login(server.uri(), "takerA"); WsClient b = WsClient.login(server.uri(), "takerB")) {
      a.send(Map.of("action", "message", "channel", "lobby", "message", "oops"));
      long id = a.expectMessage("oops").path("msgID").asLong();
      b.send(Map.of("action", "takeback", "msgID", id));
      b.expectError("That is not your message to take back.");
      a.send(Map.of("action", "takeback", "msgID", id));
      assertThat(b.expect("takeback").path("msgID").asLong()).isEqualTo(id);
      assertThat(a.expect("takeback").path("msgID").asLong()).isEqualTo(id);
      try (WsClient late = WsClient.login(server.uri(), "takerLate")) {
        JsonNode echo = late.expect("echo");
        assertThat(echo.toString()).doesNotContain("oops");
      }
    }
  }

  @Test
  void reactsAreBroadcastWithUsernameEmojiAndMsgId() {
    try (WsClient a = WsClient.login(server.uri(), "reactA"); WsClient b = WsClient.login(server.uri(), "reactB")) {
      a.send(Map.of("action", "message", "channel", "lobby", "message", "react to me"));
      long id = b.expectMessage("react to me").path("msgID").asLong();
      b.send(Map.of("action", "react", "msgID", id, "message", "+1"));
      JsonNode r = a.expect("react");
      assertThat(r.path("username").asText()).isEqualTo("reactB");
      assertThat(r.path("message").asText()).isEqualTo("+1");
      assertThat(r.path("msgID").asLong()).isEqualTo(id);
      b.send(Map.of("action", "react", "msgID", id));
      b.expectError("react needs");
    }
  }

  @Test
  void theNudgeReactGoesToItsTargetOnly() {
    try (WsClient a = WsClient.login(server.uri(), "nudger"); WsClient b = WsClient.login(server.uri(), "nudgee");
        WsClient c = WsClient.login(server.uri(), "nudgeWitness")) {
      a.send(Map.of("action", "react", "msgID", -451, "message", "nudgee"));
      assertThat(b.expect("react").path("msgID").asLong()).isEqualTo(-451);
      a.sync();
      c.sync();
      assertThat(c.received(n -> n.path("action").asText().equals("react"))).isEmpty();
    }
  }

  @Test
  void aReportWithoutAWebhookSaysItCouldNotBeReceived() {
    try (WsClient a = WsClient.login(server.uri(), "reporter")) {
      a.send(Map.of("action", "report", "channel", "lobby", "username", "x", "reason", "spam", "message", "m"));
      a.expectError("the report webhook is not enabled");
    }
  }

  @Test
  void pingIsIgnoredAndUnknownActionsIncludingTypingAreUnsupported() {
    try (WsClient a = WsClient.login(server.uri(), "pinger")) {
      a.send(Map.of("action", "ping"));
      a.send(Map.of("action", "typing"));
      JsonNode err = a.expectError("Unsupported message type: typing");
      assertThat(err.path("username").asText()).isEqualTo("ChatServer");
      a.send(Map.of("action", "<b>bold</b>"));
      assertThat(a.expectError("Unsupported message type").path("message").asText()).contains("&lt;b&gt;");
    }
  }

  @Test
  void aPngFileIsPostedAsAnInlineImageAndOtherTypesAreRefused() throws Exception {
    try (WsClient a = WsClient.login(server.uri(), "photog"); WsClient b = WsClient.login(server.uri(), "photoViewer")) {
      byte[] png = Fixtures.png(40, 20);
      a.send(Map.of("action", "file", "channel", "offtopic", "message", "cat.png", "bytes", Fixtures.unsigned(png)));
      JsonNode m = b.expect("message", n -> n.path("message").asText().startsWith("<img"));
      assertThat(m.path("message").asText()).contains("data:image/png;base64,").contains("width=\"40\"")
          .contains("height=\"20\"").contains("onclick=\"setModalImage(this.src)\"");
      a.send(Map.of("action", "file", "channel", "offtopic", "message", "virus.exe", "bytes", List.of(1, 2, 3)));
      a.expectError("Unsupported image type, should be a jpeg, GIF or png.");
      a.send(Map.of("action", "file", "channel", "lobby", "message", "cat.png", "bytes", Fixtures.unsigned(png)));
      a.expectError("Photo sharing is not enabled in that channel.");
    }
  }

  @Test
  void aLargeJpegIsScaledDownToMaxImageWidth() throws Exception {
    try (WsClient a = WsClient.login(server.uri(), "bigshot")) {
      byte[] jpg = Fixtures.jpeg(2000, 1000);
      a.send(Map.of("action", "file", "channel", "offtopic", "message", "wide.jpg", "bytes", Fixtures.unsigned(jpg)));
      JsonNode m = a.expect("message", n -> n.path("message").asText().startsWith("<img"));
      String html = m.path("message").asText();
      assertThat(html).contains("data:image/jpeg;base64,").contains("width=\"360\"").contains("height=\"180\"");
      byte[] out = java.util.Base64.getDecoder().decode(html.replaceAll(".*base64,([^\"]+)\".*", "$1"));
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(out));
      assertThat(img.getWidth()).isEqualTo(1280);
    }
  }
}
