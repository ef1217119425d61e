package io.rtchat.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtchat.server.auth.ChatClaims;
import io.rtchat.server.chat.RoomFixture.ClientOutbound;
import io.rtchat.server.chat.RoomFixture.ManualTimers;
import io.rtchat.server.chat.RoomFixture.RecordingBackplane;
import org.junit.jupiter.api.Test;

/** This instance's presence goes to the backplane on its own timer, not with the who lists. */
class PresencePublishTest {

  @Test
  void anOpGrantReachesTheBackplaneWithinThePresenceDelayWhileWhoListsWaitASecond() throws Exception {
    ManualTimers timers = new ManualTimers();
    ChatRoom room = RoomFixture.room(s -> {}, timers);
    RecordingBackplane backplane = new RecordingBackplane();
    room.attach(backplane);
    Sub boss = RoomFixture.login(room, new ClientOutbound(), "boss");
    boss.claims = ChatClaims.forGuest("boss").withOp(true);
    ClientOutbound target = new ClientOutbound();
    RoomFixture.login(room, target, "target");
    for (int i = 0; i < 500; i++) {
      RoomFixture.login(room, new ClientOutbound(), "user" + i);
    }
    // One round of who lists: 502 lists of 502 users, so the next round waits the longest.
    timers.runUpTo(Long.MAX_VALUE);

    room.onText(boss, "{\"action\":\"message\",\"channel\":\"lobby\",\"message\":\"/op target\"}");

    assertThat(timers.scheduled).extracting(ManualTimers.Timer::delayMillis).hasSize(2)
        .contains(ChatRoom.WHO_MAX_DELAY_MS)
        .anySatisfy(d -> assertThat(d).isLessThanOrEqualTo(ChatRoom.PRESENCE_MAX_DELAY_MS));
    int whoBefore = target.frames.size();
    timers.runUpTo(ChatRoom.PRESENCE_MAX_DELAY_MS);
    assertThat(isOp(last(backplane), "target")).isTrue();
    assertThat(target.frames).hasSize(whoBefore); // the who lists are still waiting
  }

  private static String last(RecordingBackplane backplane) {
    return backplane.presences.get(backplane.presences.size() - 1);
  }

  private static boolean isOp(String presence, String name) throws Exception {
    for (JsonNode u : ChatRoom.JSON.readTree(presence).path("users")) {
      if (u.path("name").asText().equals(name)) {
        return u.path("claims").path("op").asBoolean();
      }
    }
    return false;
  }
}
