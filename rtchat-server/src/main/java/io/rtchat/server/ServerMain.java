package io.rtchat.server;

import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsException;
import io.rtchat.server.config.SettingsLoader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar rtchat-server.jar [--config settings.toml] [--host H] [--port P]
 * [--print-default-config]}. Prints {@code listening on http://HOST:PORT} when ready; SIGTERM stops
 * gracefully (WebSocket clients get a close frame). Exit codes: 0 ok, 1 runtime error, 2 usage.
 */
public final class ServerMain {
  static final String USAGE = """
      Usage: rtchat-server [--config settings.toml] [--host 127.0.0.1] [--port 8080] [--backplane mqtt://host:port]
                           [--print-default-config]
        --config FILE            settings.toml (BareRTC keys); missing = built-in defaults
        --host HOST              address to bind (default 127.0.0.1)
        --port PORT              port, 0 = any free port (default 8080)
        --backplane URL          share the chat with other instances through this MQTT broker
                                 (overrides [Backplane] URL in the settings)
        --print-default-config   print a commented default settings file and exit
      """;

  private ServerMain() {}

  /** Parsed command line. */
  record Options(Path config, String host, int port, boolean printDefault, boolean help, URI backplane) {}

  static Options parse(String[] args) {
    Path config = null;
    String host = "127.0.0.1";
    int port = 8080;
    boolean print = false;
    boolean help = false;
    URI backplane = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      switch (a) {
        case "--config", "-c" -> config = Path.of(value != null ? value : next(args, ++i, a));
        case "--host" -> host = value != null ? value : next(args, ++i, a);
        case "--port", "-p" -> {
          String p = value != null ? value : next(args, ++i, a);
          try {
            port = Integer.parseInt(p);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number, got '" + p + "'");
          }
          if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535");
          }
        }
        case "--backplane" -> {
          String u = value != null ? value : next(args, ++i, a);
          try {
            backplane = new URI(u);
          } catch (java.net.URISyntaxException e) {
            backplane = null;
          }
          if (backplane == null || backplane.getHost() == null
              || !("mqtt".equals(backplane.getScheme()) || "mqtts".equals(backplane.getScheme()))) {
            throw new IllegalArgumentException("--backplane needs mqtt://host:port or mqtts://host:port, got '" + u + "'");
          }
        }
        case "--print-default-config" -> print = true;
        case "--help", "-h" -> help = true;
        default -> throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    return new Options(config, host, port, print, help, backplane);
  }

  private static String next(String[] args, int i, String opt) {
    if (i >= args.length) {
      throw new IllegalArgumentException(opt + " needs a value");
    }
    return args[i];
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs until the server stops; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("rtchat-server: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (o.help()) {
      out.print(USAGE);
      return 0;
    }
    if (o.printDefault()) {
      out.print(SettingsLoader.defaultConfigText());
      out.flush();
      return 0;
    }
    Settings settings;
    try {
      settings = o.config() == null ? SettingsLoader.defaults() : SettingsLoader.load(o.config());
    } catch (SettingsException e) {
      err.println("rtchat-server: " + e.getMessage());
      return 1;
    }
    CountDownLatch done = new CountDownLatch(1);
    RtchatServer.Builder b = RtchatServer.builder().settings(settings).settingsFile(o.config())
        .host(o.host()).port(o.port()).backplane(o.backplane()).onShutdownRequest(done::countDown);
    for (ServerExtension e : ServiceLoader.load(ServerExtension.class)) {
      b.extension(e);
    }
    RtchatServer server = b.build();
    Thread hook = new Thread(() -> {
      server.close();
      done.countDown();
    }, "rtchat-sigterm");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      URI uri = server.start();
      out.println("listening on " + uri);
      out.flush();
      server.stopped().join();
      return 0;
    } catch (Exception e) {
      err.println("rtchat-server: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      server.close();
      return 1;
    }
  }
}
