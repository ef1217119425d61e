package io.rtchat.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import io.rtchat.server.EmbeddedBrokerExtension;
import io.rtchat.server.KeyDirectoryExtension;
import io.rtchat.server.ServerExtension;
import io.rtchat.server.SignalRelayExtension;
import io.rtchat.cli.bench.BenchCommand;
import io.rtchat.cli.keys.KeysCommand;
import io.rtchat.cli.peer.PeerCommand;
import io.rtchat.cli.server.ServerCommand;
import io.rtchat.signal.ws.RelayHub;
import io.rtchat.signal.ws.RelayLimits;

/**
 * Everything the CLI builds, bound explicitly (Airlift style: no classpath scanning, no
 * just-in-time bindings). The library modules know nothing of Guice; they are wired here.
 */
public final class CliModule extends AbstractModule {

  private final Console console;

  public CliModule(Console console) {
    this.console = console;
  }

  @Override
  protected void configure() {
    binder().requireExplicitBindings();
    binder().requireAtInjectOnConstructors();
    bind(Console.class).toInstance(console);
    bind(ObjectMapper.class).toInstance(new ObjectMapper());

    bind(RtchatCommand.class);
    bind(CompletionCommand.class);
    bind(PeerCommand.class);
    bind(ServerCommand.class);
    bind(BenchCommand.class);
    bind(KeysCommand.class);
    bind(KeysCommand.Init.class);
    bind(KeysCommand.Show.class);
    bind(KeysCommand.Trust.class);
    bind(KeysCommand.ListPeers.class);
    bind(KeysCommand.Register.class);

    // What `rtchat server` mounts on its Jetty server besides the chat: the /signal WebSocket
    // relay, rtchat-identity's key directory at /api/keys and the embedded MQTT broker ([Broker]).
    bind(RelayLimits.class).toInstance(RelayLimits.defaults());
    Multibinder<ServerExtension> extensions = Multibinder.newSetBinder(binder(), ServerExtension.class);
    extensions.addBinding().to(SignalRelayExtension.class);
    extensions.addBinding().toProvider(KeyDirectoryExtension::new);
    extensions.addBinding().toProvider(EmbeddedBrokerExtension::new);
  }

  @Provides
  RelayHub relayHub(RelayLimits limits) {
    return new RelayHub(limits);
  }

  @Provides
  SignalRelayExtension signalRelay(RelayHub hub) {
    return new SignalRelayExtension(hub);
  }
}
