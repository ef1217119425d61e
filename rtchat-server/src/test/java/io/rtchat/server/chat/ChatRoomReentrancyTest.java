package io.rtchat.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import static io.rtchat.server.chat.RoomFixture.login;
import static io.rtchat.server.chat.RoomFixture.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtchat.server.chat.RoomFixture.ClientOutbound;
import io.rtchat.server.chat.RoomFixture.RecordingBackplane;
import org.junit.jupiter.api.Test;

/**
 * A transport may report its close from inside {@link Outbound#offer} (Jetty does when a write
 * fails at once): the room is re-entered on the same thread, in the middle of a fan-out.
 */
class ChatRoomReentrancyTest {

  @Test
  void aReceiverWhoseTransportClosesDuringARemoteFanOutDoesNotCostTheOthersTheMessage() {
    ChatRoom room = room(s -> { });
    RecordingBackplane backplane = new RecordingBackplane();
    room.attach(backplane);
    ClientOutbound dying = new ClientOutbound();
    ClientOutbound second = new ClientOutbound();
    ClientOutbound third = new ClientOutbound();
    Sub dyingSub = login(room, dying, "dying");
    login(room, second, "second");
    login(room, third, "third");
    dying.trigger = "hello from B";
    dying.onOffer = () -> room.disconnected(dyingSub);

    ObjectNode chat = ChatRoom.JSON.createObjectNode();
    chat.put("t", "chat");
    chat.put("from", "sender");
    chat.put("channel", "lobby");
    chat.put("msgID", 42);
    chat.put("frame", "{\"action\":\"message\",\"username\":\"sender\",\"channel\":\"lobby\","
        + "\"message\":\"hello from B\",\"msgID\":42}");
    room.onRemoteEvent(chat);

    assertThat(second.received("hello from B")).isTrue();
    assertThat(third.received("hello from B")).isTrue();
    assertThat(room.connectionCount()).isEqualTo(2);
    assertThat(second.received("has exited the room!")).isTrue();
    assertThat(backplane.broadcasts).anyMatch(e -> e.contains("\"presence\"") && e.contains("dying"));
  }

  @Test
  void aReceiverWhoseTransportClosesDuringALocalChannelMessageIsRemovedAfterTheFanOut() {
    ChatRoom room = room(s -> { });
    ClientOutbound author = new ClientOutbound();
    ClientOutbound dying = new ClientOutbound();
    ClientOutbound last = new ClientOutbound();
    Sub authorSub = login(room, author, "author");
    Sub dyingSub = login(room, dying, "dying");
    login(room, last, "last");
    dying.trigger = "local words";
    dying.onOffer = () -> room.disconnected(dyingSub);

    room.onText(authorSub, "{\"action\":\"message\",\"channel\":\"lobby\",\"message\":\"local words\"}");

    assertThat(last.received("local words")).isTrue();
    assertThat(author.received("Internal error")).isFalse();
    assertThat(room.connectionCount()).isEqualTo(2);
    assertThat(last.received("has exited the room!")).isTrue();
  }
}
