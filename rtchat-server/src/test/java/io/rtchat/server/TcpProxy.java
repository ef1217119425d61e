package io.rtchat.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy that can go silent: after {@link #freeze()} it forwards nothing, closes
 * nothing and accepts no new connections, as if the host behind it had died without a goodbye.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private volatile int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean frozen;

  TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "tcp-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        if (frozen) {
          in.close();
          continue;
        }
        Socket out = new Socket();
        out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
        sockets.add(in);
        sockets.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        // closed, or the target refused: the client sees its connection fail
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (!frozen) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        // connection ended
      }
      if (!frozen) {
        closeQuietly(to);
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** New connections go to {@code port} from now on, as a load balancer does when a server died. */
  void retarget(int port) {
    targetPort = port;
  }

  /** From now on: silence. Nothing is forwarded, no connection is closed or accepted. */
  void freeze() {
    frozen = true;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    frozen = true;
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    sockets.forEach(TcpProxy::closeQuietly);
  }
}
