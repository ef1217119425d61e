package io.rtchat.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IncomingFileTest {

  @ParameterizedTest
  @CsvSource({
      "report.pdf, report.pdf",
      "../../etc/x, x",
      "..\\..\\windows\\system.ini, system.ini",
      ".bashrc, bashrc",
      "'', file",
      "..., file",
      "a/b/, file",
      "na<me>?.txt, na_me__.txt"})
  void offeredNamesBecomeNamesThatStayInTheDirectory(String offered, String safe) {
    assertThat(IncomingFile.safeName(offered)).isEqualTo(safe);
  }
}
