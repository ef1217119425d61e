package io.rtchat.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.rtchat.server.auth.ChatClaims;
import io.rtchat.server.chat.RoomFixture.ClientOutbound;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-viewer who lists built from shared rows ({@link WhoFrames}). */
class WhoListTest {

  private static Sub user(String name, int video) {
    Sub s = new Sub(name.hashCode(), new ClientOutbound(), "127.0.0.1", 0, 1);
    s.name = name;
    s.authenticated = true;
    s.video = video;
    s.loginAt = 1_700_000_000L;
    return s;
  }

  private static Sub vip(String name) {
    Sub s = user(name, 0);
    s.claims = new ChatClaims(name, false, true, "Nick " + name, null, null, null, null, List.of(), Map.of());
    return s;
  }

  private static WhoFrames frames(List<Sub> listed, Map<WhoEntry, String> previous) {
    return new WhoFrames(listed, true, (a, b) -> a.blocked.contains(b.name) || b.blocked.contains(a.name), previous);
  }

  private static Map<String, WhoEntry> rows(String frame) throws JsonProcessingException {
    Message m = ChatRoom.JSON.readValue(frame, Message.class);
    assertThat(m.action).isEqualTo("who");
    Map<String, WhoEntry> byName = new HashMap<>();
    if (m.whoList != null) {
      m.whoList.forEach(r -> byName.put(r.username(), r));
    }
    return byName;
  }

  @Test
  void eachViewerSeesCamerasBlocksInvitesAndVipFlagsAsTheProtocolSays() throws Exception {
    Sub cam = user("cam", Sub.ACTIVE);
    Sub booted = user("booted", 0);
    Sub invited = user("invited", 0);
    Sub blocker = user("blocker", 0);
    Sub hidden = user("hidden", 0);
    Sub plain = user("plain", 0);
    Sub star = vip("star");
    hidden.status = "hidden";
    cam.booted.add("booted");
    cam.invited.add("invited");
    blocker.blocked.add("cam");
    WhoFrames f = frames(List.of(blocker, booted, cam, hidden, invited, plain, star), Map.of());

    assertThat(rows(f.frameFor(booted)).get("cam").video()).isZero();
    assertThat(rows(f.frameFor(invited)).get("cam").video()).isEqualTo(Sub.ACTIVE | Sub.INVITED);
    assertThat(rows(f.frameFor(plain)).get("cam").video()).isEqualTo(Sub.ACTIVE);
    assertThat(rows(f.frameFor(blocker))).doesNotContainKey("cam").containsKey("blocker");
    assertThat(rows(f.frameFor(cam))).doesNotContainKey("blocker").doesNotContainKey("hidden");
    // Mutually secret VIPs: only VIPs see the flag.
    assertThat(rows(f.frameFor(plain)).get("star").vip()).isFalse();
    assertThat(rows(f.frameFor(star)).get("star").vip()).isTrue();
    assertThat(rows(f.frameFor(plain)).get("star").nickname()).isEqualTo("Nick star");
  }

  @Test
  void viewersNobodySinglesOutShareOneFrameAndUnchangedRowsAreNotSerializedAgain() {
    Sub a = user("a", 0);
    Sub b = user("b", Sub.ACTIVE);
    Sub c = user("c", 0);
    WhoFrames first = frames(List.of(a, b, c), Map.of());
    String forA = first.frameFor(a);
    assertThat(first.frameFor(c)).isSameAs(forA);

    b.video = 0;
    WhoFrames second = frames(List.of(a, b, c), first.rows());
    second.frameFor(a);
    WhoEntry unchangedA = second.rows().keySet().stream().filter(r -> r.username().equals("a")).findFirst().orElseThrow();
    assertThat(second.rows().get(unchangedA)).isSameAs(first.rows().get(unchangedA));
    assertThat(second.rows().keySet()).noneMatch(r -> r.username().equals("b") && r.video() == Sub.ACTIVE);
  }

  @Test
  void anEmptyListIsTheBareWhoFrame() {
    Sub alone = user("alone", 0);
    alone.status = "hidden";
    assertThat(frames(List.of(alone), Map.of()).frameFor(alone)).isEqualTo("{\"action\":\"who\"}");
  }
}
