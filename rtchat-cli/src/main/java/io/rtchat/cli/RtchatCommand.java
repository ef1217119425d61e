package io.rtchat.cli;

import io.rtchat.cli.bench.BenchCommand;
import io.rtchat.cli.keys.KeysCommand;
import io.rtchat.cli.peer.PeerCommand;
import io.rtchat.cli.server.ServerCommand;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rtchat}: the root command; it only dispatches to its subcommands. */
@Command(name = "rtchat", mixinStandardHelpOptions = true, version = "rtchat 0.1.0",
    description = "Real-time chat over WebRTC data channels with pluggable signaling.",
    subcommands = {PeerCommand.class, KeysCommand.class, ServerCommand.class, BenchCommand.class,
        CompletionCommand.class},
    footer = {"", "Shell completion: source <(rtchat completion)"})
public final class RtchatCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Inject
  public RtchatCommand() {}

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: peer, keys, server, bench or completion");
  }
}
