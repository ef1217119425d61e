package io.rtchat.server;

import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsLoader;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Starts real servers on ephemeral loopback ports. */
final class TestServers {
  static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";

  private TestServers() {}

  static RtchatServer start(Consumer<Settings> tweak) {
    Settings s = SettingsLoader.defaults();
    s.limits.pingIntervalSeconds = 3600;
    tweak.accept(s);
    RtchatServer server = RtchatServer.builder().settings(s).host("127.0.0.1").port(0).build();
    try {
      server.start();
    } catch (Exception e) {
      server.close();
      throw new IllegalStateException(e);
    }
    return server;
  }

  static RtchatServer start() {
    return start(s -> { });
  }

  /** Channels lobby (echo 10), offtopic (photos), vip (VIP). */
  static void threeChannels(Settings s) {
    Settings.Channel off = new Settings.Channel();
    off.id = "offtopic";
    off.name = "Off Topic";
    off.permitPhotos = true;
    Settings.Channel vip = new Settings.Channel();
    vip.id = "vip";
    vip.name = "VIPs";
    vip.vip = true;
    vip.permitPhotos = true;
    List<Settings.Channel> list = new ArrayList<>(s.publicChannels);
    list.add(off);
    list.add(vip);
    s.publicChannels = list;
  }

  static void jwt(Settings s, boolean strict) {
    s.jwt.enabled = true;
    s.jwt.strict = strict;
    s.jwt.secretKey = SECRET;
  }

  static URI uri(RtchatServer server) {
    return server.uri();
  }
}
