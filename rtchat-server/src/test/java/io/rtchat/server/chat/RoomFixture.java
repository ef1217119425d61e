package io.rtchat.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsLoader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A {@link ChatRoom} without a server: fake transports, a recording backplane, timers run by hand. */
final class RoomFixture {
  private RoomFixture() {}

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
    final List<String> presences = new ArrayList<>();

    @Override
    public String instanceId() {
      return "local";
    }

    @Override
    public void publishPresence(String json) {
      presences.add(json);
    }

    @Override
    public void broadcast(String json) {
      broadcasts.add(json);
    }

    @Override
    public void send(String instance, String json) {}
  }

  /** Timers that fire only when a test runs them. */
  static final class ManualTimers {
    record Timer(Runnable task, long delayMillis) {}

    final List<Timer> scheduled = new ArrayList<>();

    /** Runs (and forgets) the timers scheduled with at most this delay. */
    void runUpTo(long delayMillis) {
      List<Timer> due = scheduled.stream().filter(t -> t.delayMillis() <= delayMillis).toList();
      scheduled.removeAll(due);
      due.forEach(t -> t.task().run());
    }
  }

  static ChatRoom room(Consumer<Settings> tweak) {
    return room(tweak, new ManualTimers());
  }

  static ChatRoom room(Consumer<Settings> tweak, ManualTimers timers) {
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
      public void schedule(Runnable task, long delayMillis) {
        timers.scheduled.add(new ManualTimers.Timer(task, delayMillis));
      }
    };
    return new ChatRoom(settings, null, new ChatMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), host);
  }

  static Sub login(ChatRoom room, Outbound out, String name) {
    Sub s = room.connect(out, "127.0.0.1");
    room.onText(s, "{\"action\":\"login\",\"username\":\"" + name + "\"}");
    assertThat(s.authenticated()).isTrue();
    return s;
  }

}
