package io.rtchat.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsLoader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A transport may report its close from inside {@link Outbound#offer} (Jetty does when a write
 * fails at once): the room is re-entered on the same thread, in the middle of a fan-out.
 */
class ChatRoomReentrancyTest {

  /** Records frames; runs {@code onOffer} (once) for the first frame that contains {@code trigger}. */
  static final class ClientOutbound implements Outbound {
    final List<String> frames = new ArrayList<>();
    String trigger;
    Runnable onOffer;

    @Override
    public boolean offer(String json) {
      frames.add(json);
      if (trigger != null && json.contains(trigger)) {
        trigger = null;
        onOffer.run();
      }
      return true;
    }

    @Override
    public void close(int code, String reason) {}

    boolean received(String text) {
      return frames.stream().anyMatch(f -> f.contains(text));
    }
  }

  static final class RecordingBackplane implements Backplane {
    final List<String> broadcasts = new ArrayList<>();

    @Override
    public String instanceId() {
      return "local";
    }

    @Override
    public void publishPresence(String json) {}

    @Override
    public void broadcast(String json) {
      broadcasts.add(json);
    }

    @Override
    public void send(String instance, String json) {}
  }

  static ChatRoom room(Consumer<Settings> tweak) {
    Settings settings = SettingsLoader.defaults();
    settings.limits.messagesPerSecond = 100_000;
    settings.limits.messageBurst = 100_000;
    tweak.accept(settings);
    ChatRoom.Host host = new ChatRoom.Host() {
      @Override
      public void shutdown() {}

      @Override
      public Settings reload() {
        return settings;
      }

      @Override
      public void schedule(Runnable task, long delayMillis) {}
    };
    return new ChatRoom(settings, null, new ChatMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), host);
  }

  static Sub login(ChatRoom room, Outbound out, String name) {
    Sub s = room.connect(out, "127.0.0.1");
    room.onText(s, "{\"action\":\"login\",\"username\":\"" + name + "\"}");
    assertThat(s.authenticated()).isTrue();
    return s;
  }

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
