package io.rtchat.server;

import io.rtchat.server.config.Settings;
import io.rtchat.signal.mqtt.EmbeddedBroker;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * rtchat-signal-mqtt's {@link EmbeddedBroker} (MQTT 3.1.1, in memory) started with the server as
 * {@code [Broker]} in the settings says, so that peers signal over {@code mqtt://} and
 * {@code mqtt+ws://} without a broker of their own. It starts while the server mounts its
 * extensions, before Jetty binds: a broker port already in use stops the whole start with a
 * one-line error, as a taken HTTP port does.
 */
public final class EmbeddedBrokerExtension implements ServerExtension {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedBrokerExtension.class);

  private volatile EmbeddedBroker broker;

  @Override
  public String name() {
    return "embedded MQTT broker";
  }

  @Override
  public void mount(Mounts mounts) {
    Settings.Broker settings = mounts.settings().broker;
    if (!settings.enabled) {
      log.info("embedded MQTT broker off ([Broker] Enabled = false)");
      return;
    }
    String host = settings.host.isBlank() ? serverHost(mounts.server()) : settings.host;
    try {
      broker = EmbeddedBroker.start(host, settings.port, settings.webSocketPort);
    } catch (UncheckedIOException | IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage() + "; set free ports in [Broker] Port and"
          + " WebSocketPort (0 = any), or [Broker] Enabled = false (rtchat server: --broker-port,"
          + " --broker-ws-port, --no-broker)", e);
    }
    log.info("MQTT broker for peers on mqtt://{}:{} and mqtt+ws://{}:{}/mqtt (MQTT 3.1.1 only:"
        + " version=3 in a peer's URI spares it the MQTT 5 attempt)", host, broker.port(), host,
        broker.webSocketPort());
    if (mounts.backplane().isPresent()) {
      log.warn("this instance runs its own MQTT broker and shares the chat through a backplane:"
          + " mqtt:// peers of different instances' brokers never meet. Point them at one shared"
          + " broker and set [Broker] Enabled = false (rtchat server --no-broker); /signal peers"
          + " meet across instances");
    }
  }

  /** The running broker (its real ports), while mounted with {@code [Broker] Enabled = true}. */
  public Optional<EmbeddedBroker> broker() {
    return Optional.ofNullable(broker);
  }

  @Override
  public void close() {
    EmbeddedBroker running = broker;
    broker = null;
    if (running != null) {
      running.close();
    }
  }

  /** The address the HTTP connector binds: the broker follows the server's {@code --host}. */
  private static String serverHost(Server server) {
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof NetworkConnector network) {
        String host = network.getHost();
        return host == null || host.isBlank() ? "0.0.0.0" : host;
      }
    }
    return "127.0.0.1";
  }
}
