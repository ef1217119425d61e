package io.rtchat.cli.peer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StdinCommandTest {

  @Test
  void plainTextIsAChatMessageToEveryone() {
    assertThat(StdinCommand.parse("hello there")).isEqualTo(new StdinCommand.Broadcast("hello there"));
  }

  @Test
  void doubleSlashSendsTextThatStartsWithASlash() {
    assertThat(StdinCommand.parse("//shrug")).isEqualTo(new StdinCommand.Broadcast("/shrug"));
  }

  @Test
  void msgAskAndSendTakeTheirArguments() {
    assertThat(StdinCommand.parse("/msg bob hi  there")).isEqualTo(new StdinCommand.Direct("bob", "hi  there"));
    assertThat(StdinCommand.parse("/ask bob echo hi you")).isEqualTo(new StdinCommand.Ask("bob", "echo", "hi you"));
    assertThat(StdinCommand.parse("/ask bob ping")).isEqualTo(new StdinCommand.Ask("bob", "ping", ""));
    assertThat(StdinCommand.parse("/send bob a.bin")).isEqualTo(new StdinCommand.Send("bob", "a.bin", null));
    assertThat(StdinCommand.parse("/send bob a.bin ../../x")).isEqualTo(new StdinCommand.Send("bob", "a.bin", "../../x"));
  }

  @Test
  void peersQuitAndBlankLines() {
    assertThat(StdinCommand.parse("/peers")).isInstanceOf(StdinCommand.Peers.class);
    assertThat(StdinCommand.parse("/quit")).isInstanceOf(StdinCommand.Quit.class);
    assertThat(StdinCommand.parse("   ")).isInstanceOf(StdinCommand.Nothing.class);
  }

  @Test
  void missingArgumentsAndUnknownCommandsExplainThemselves() {
    assertThat(StdinCommand.parse("/msg bob")).isEqualTo(new StdinCommand.Invalid("usage: /msg PEER TEXT"));
    assertThat(StdinCommand.parse("/send bob")).isEqualTo(new StdinCommand.Invalid("usage: /send PEER FILE [AS-NAME]"));
    assertThat(StdinCommand.parse("/dance")).isInstanceOfSatisfying(StdinCommand.Invalid.class,
        i -> assertThat(i.message()).startsWith("unknown command /dance; commands:"));
  }
}
