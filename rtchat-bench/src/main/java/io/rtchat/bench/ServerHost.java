package io.rtchat.bench;

import io.rtchat.server.RtchatServer;
import io.rtchat.server.SignalRelayExtension;
import io.rtchat.server.config.Settings;
import io.micrometer.core.instrument.Gauge;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of the chat-server measures, so that the server's heap is measured apart from the
 * clients': {@code ServerHost rtchat|raw} (rtchat with its {@code /signal} relay) (or {@code ServerHost rtchat-backplane MQTT_URI
 * TOPIC_PREFIX}: an instance sharing its chat through that broker, port printed once connected to
 * it) prints {@code port N}, then answers {@code heap} on stdin with {@code heap BYTES} (used heap
 * after GC) and exits on {@code quit} or end of input.
 * Internal to the bench; public only so that the java launcher can start it.
 */
public final class ServerHost {

  private ServerHost() {}

  public static void main(String[] args) {
    try {
      serve(args);
    } catch (Throwable t) {
      // Jetty's threads would keep a broken host alive; the parent sees end of output instead.
      t.printStackTrace();
      Runtime.getRuntime().halt(1);
    }
  }

  private static void serve(String[] args) throws Exception {
    PrintStream out = System.out;
    Sys.usedHeap(); // loaded now: the classes directory may be rebuilt while the host runs
    int port;
    if (args.length == 1 && args[0].equals("rtchat")) {
      RtchatServer chat = RtchatServer.builder().settings(benchSettings())
          .extension(new SignalRelayExtension()).host("127.0.0.1").port(0).build();
      port = chat.start().getPort();
    } else if (args.length == 3 && args[0].equals("rtchat-backplane")) {
      Settings settings = benchSettings();
      settings.backplane.topicPrefix = args[2];
      RtchatServer chat = RtchatServer.builder().settings(settings).backplane(URI.create(args[1]))
          .extension(new SignalRelayExtension()).host("127.0.0.1").port(0).build();
      port = chat.start().getPort();
      awaitBackplane(chat);
    } else if (args.length == 1 && args[0].equals("raw")) {
      RawBroadcastServer raw = RawBroadcastServer.start();
      port = raw.port();
    } else {
      System.err.println("usage: ServerHost rtchat|raw|rtchat-backplane MQTT_URI TOPIC_PREFIX");
      System.exit(2);
      return;
    }
    out.println("port " + port);
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
      if (line.trim().equals("heap")) {
        out.println("heap " + Sys.heapAfterGc());
        out.flush();
      }
    }
    // The clients go away with the parent; a graceful close of thousands of sockets buys nothing.
    Runtime.getRuntime().halt(0);
  }

  /** Waits for the {@code rtchat.backplane.connected} gauge to read 1 (10 s at most). */
  private static void awaitBackplane(RtchatServer chat) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Gauge connected = chat.meterRegistry().find("rtchat.backplane.connected").gauge();
      if (connected != null && connected.value() == 1) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("backplane not connected within 10 s");
      }
      Thread.sleep(20);
    }
  }

  /**
   * Default settings except the inbound rate limit and the login/idle timeouts, raised so that
   * the bench measures fan-out rather than the flood policy. The 32-message send queue per client
   * stays as it is: it is part of what is measured.
   */
  static Settings benchSettings() {
    Settings settings = new Settings();
    settings.limits.messagesPerSecond = 1_000_000;
    settings.limits.messageBurst = 1_000_000;
    settings.limits.loginTimeoutSeconds = 3_600;
    settings.limits.idleTimeoutSeconds = 3_600;
    return settings;
  }
}
