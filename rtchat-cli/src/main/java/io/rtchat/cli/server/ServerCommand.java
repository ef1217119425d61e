package io.rtchat.cli.server;

import io.rtchat.cli.Console;
import io.rtchat.cli.Errors;
import io.rtchat.server.EmbeddedBrokerExtension;
import io.rtchat.server.RtchatServer;
import io.rtchat.server.ServerExtension;
import io.rtchat.server.SignalRelayExtension;
import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsException;
import io.rtchat.server.config.SettingsLoader;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rtchat server}: rtchat-server's Jetty server (page, /ws chat, /api) with its extensions:
 * the /signal WS relay, the key directory and the embedded MQTT broker. The broker options only
 * override {@code [Broker]} in the settings; rtchat-server's {@link EmbeddedBrokerExtension}
 * starts it, as in {@code java -jar rtchat-server.jar}.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Starts the web page, /ws chat, /signal WS relay, /api/* and an embedded MQTT broker.",
        "When ready prints 'listening on http://HOST:PORT' on stdout; SIGTERM stops it gracefully."})
public final class ServerCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "settings.toml",
      description = "Settings (BareRTC keys); missing = built-in defaults.")
  Path config;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to bind, the broker's too unless [Broker] Host is set (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port, 0 = any free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--broker-port", paramLabel = "PORT",
      description = "MQTT port of the embedded broker, 0 = any free (overrides [Broker] Port, default 1883).")
  Integer brokerPort;

  @Option(names = "--broker-ws-port", paramLabel = "PORT",
      description = "Its MQTT-over-WebSocket port, 0 = any free (overrides [Broker] WebSocketPort, default 8083).")
  Integer brokerWsPort;

  @Option(names = "--no-broker", description = "Do not start the embedded MQTT broker ([Broker] Enabled = false).")
  boolean noBroker;

  @Option(names = "--print-default-config",
      description = "Print a commented default settings.toml and exit.")
  boolean printDefaultConfig;

  @Option(names = "--backplane", paramLabel = "mqtt://host:port",
      description = "Share the chat with other instances through this MQTT broker (overrides [Backplane] URL).")
  URI backplane;

  @Spec
  CommandSpec spec;

  private final Console console;
  private final Provider<Set<ServerExtension>> extensions;

  @Inject
  public ServerCommand(Console console, Provider<Set<ServerExtension>> extensions) {
    this.console = console;
    this.extensions = extensions;
  }

  /**
   * The extensions bound in the CLI's Guice module, plus any other that a module on the class path
   * registers for rtchat-server's own main ({@code META-INF/services}), so that {@code rtchat
   * server} mounts at least what {@code java -jar rtchat-server.jar} does.
   */
  private List<ServerExtension> extensions() {
    List<ServerExtension> all = new ArrayList<>(extensions.get());
    Set<Class<?>> bound = new HashSet<>();
    all.forEach(e -> bound.add(e.getClass()));
    for (ServerExtension e : ServiceLoader.load(ServerExtension.class)) {
      if (bound.add(e.getClass())) {
        all.add(e);
      }
    }
    return all;
  }

  @Override
  public Integer call() throws Exception {
    if (printDefaultConfig) {
      console.out().print(SettingsLoader.defaultConfigText());
      console.out().flush();
      return 0;
    }
    Settings settings;
    try {
      settings = config == null ? SettingsLoader.defaults() : SettingsLoader.load(config);
    } catch (SettingsException e) {
      return fail(Errors.oneLine(e));
    }
    applyBrokerOptions(settings.broker);
    RtchatServer server = null;
    AtomicBoolean stopped = new AtomicBoolean();
    try {
      RtchatServer.Builder builder = RtchatServer.builder().settings(settings).settingsFile(config)
          .host(host).port(port);
      if (backplane != null) {
        builder.backplane(backplane);
      }
      extensions().forEach(builder::extension);
      server = builder.build();
      RtchatServer running = server;
      Thread hook = new Thread(() -> stop(running, stopped), "rtchat-server-sigterm");
      Runtime.getRuntime().addShutdownHook(hook);
      URI uri = server.start();
      console.err().println("rtchat server: WS relay on ws://" + uri.getHost() + ":" + uri.getPort()
          + SignalRelayExtension.PATH);
      console.out().println("listening on " + uri);
      console.out().flush();
      server.stopped().join();
      return 0;
    } catch (Exception e) {
      return fail(Errors.oneLine(e));
    } finally {
      stop(server, stopped);
    }
  }

  /** The command line wins over the settings file. */
  private void applyBrokerOptions(Settings.Broker broker) {
    if (noBroker) {
      broker.enabled = false;
    }
    if (brokerPort != null) {
      broker.port = checkPort("--broker-port", brokerPort);
    }
    if (brokerWsPort != null) {
      broker.webSocketPort = checkPort("--broker-ws-port", brokerWsPort);
    }
  }

  private int checkPort(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), option + " must be 0..65535, got " + port);
    }
    return port;
  }

  private static void stop(RtchatServer server, AtomicBoolean stopped) {
    if (stopped.compareAndSet(false, true) && server != null) {
      server.close();
    }
  }

  private int fail(String message) {
    console.err().println("rtchat server: " + message);
    return 1;
  }
}
