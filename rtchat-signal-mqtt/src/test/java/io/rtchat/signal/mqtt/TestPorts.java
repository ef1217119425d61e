package io.rtchat.signal.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for brokers that tests stop and start again on the same port.
 *
 * <p>Not from the ephemeral range: while such a broker is down, its clients keep connecting to
 * 127.0.0.1:port, and Linux may give one of those connections that very port as its local port
 * (a TCP self-connect), which then blocks the restarted broker. Production brokers sit on 1883.
 */
final class TestPorts {

  private TestPorts() {}

  static int freeNonEphemeralPort() {
    int ephemeralStart = ephemeralRangeStart();
    int low = 10_000;
    int high = Math.max(low + 1_000, ephemeralStart);
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(low, high);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException e) {
        // taken; try another
      }
    }
    throw new IllegalStateException("no free port in " + low + ".." + high);
  }

  private static int ephemeralRangeStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
