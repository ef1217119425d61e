package io.rtchat.signal.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards loopback TCP connections to a broker, so a test can cut a client's connection the way a
 * crash or a network failure does: without an MQTT DISCONNECT. Keeps the first bytes each client
 * sent (its CONNECT packet), so a test can see which MQTT versions were tried.
 */
final class TcpProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int targetPort;
  private static final int OPENING_BYTES = 64;

  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<ByteArrayOutputStream> openings = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The first bytes each client sent, in the order the connections were accepted. */
  List<byte[]> openings() {
    List<byte[]> copies = new ArrayList<>();
    for (ByteArrayOutputStream opening : openings) {
      synchronized (opening) {
        copies.add(opening.toByteArray());
      }
    }
    return copies;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
        sockets.add(client);
        sockets.add(upstream);
        ByteArrayOutputStream opening = new ByteArrayOutputStream();
        openings.add(opening);
        pump(client, upstream, opening);
        pump(upstream, client, null);
      } catch (IOException e) {
        // closed, or the broker is down: the client sees its connection fail
      }
    }
  }

  private void pump(Socket from, Socket to, ByteArrayOutputStream opening) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (opening != null) {
            synchronized (opening) {
              opening.write(buffer, 0, Math.min(n, OPENING_BYTES - opening.size()));
            }
          }
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // cut
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops accepting and cuts every forwarded connection at once. */
  @Override
  public void close() {
    closeQuietly(server);
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
