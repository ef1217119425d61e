package io.rtchat.signal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.signal.ws.RelayFrames.Parsed;
import io.rtchat.signal.ws.RelayFrames.Payload;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RelayHubTest {

  private final AtomicLong nanos = new AtomicLong();
  private final ManualDelays delays = new ManualDelays();
  private RelayHub hub = hub(RelayLimits.defaults(), RelayAuthenticator.OPEN);

  private RelayHub hub(RelayLimits limits, RelayAuthenticator authenticator) {
    return new RelayHub(limits, authenticator, nanos::get, delays);
  }

  private FakeConnection joined(String room, String name) {
    FakeConnection connection = FakeConnection.open(hub);
    connection.text(RelayFrames.join(room, name, null, "session-" + name, null));
    assertThat(connection.take()).extracting(Parsed::op).containsExactly("joined");
    return connection;
  }

  private static String send(String to, String text) {
    return RelayFrames.send(to, Payload.of(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static Parsed only(FakeConnection connection) {
    List<Parsed> frames = connection.take();
    assertThat(frames).hasSize(1);
    return frames.get(0);
  }

  @Test
  void joinerLearnsWhoIsPresentAndOthersLearnOfTheJoin() {
    FakeConnection alice = joined("demo", "alice");
    FakeConnection bob = joined("demo", "bob");
    alice.take();
    FakeConnection carol = FakeConnection.open(hub);

    carol.text(RelayFrames.join("demo", "carol", null, "s", null));

    Parsed welcome = only(carol);
    assertThat(welcome.op()).isEqualTo("joined");
    assertThat(welcome.peers()).containsExactly("alice", "bob");
    assertThat(only(alice).get("name")).isEqualTo("carol");
    assertThat(only(bob).op()).isEqualTo("peer-joined");
    assertThat(hub.peers("demo")).containsExactly("alice", "bob", "carol");
  }

  @Test
  void roomPayloadReachesEveryoneButTheSenderAndOnlyThatRoom() {
    FakeConnection alice = joined("demo", "alice");
    FakeConnection bob = joined("demo", "bob");
    FakeConnection carol = joined("demo", "carol");
    FakeConnection dave = joined("other", "dave");
    alice.take();
    bob.take();

    alice.text(send(null, "{\"k\":\"a\"}"));

    for (FakeConnection receiver : List.of(bob, carol)) {
      Parsed msg = only(receiver);
      assertThat(msg.op()).isEqualTo("msg");
      assertThat(msg.get("from")).isEqualTo("alice");
      assertThat(msg.get("data")).isEqualTo("{\"k\":\"a\"}");
    }
    assertThat(alice.take()).isEmpty();
    assertThat(dave.take()).isEmpty();
  }

  @Test
  void targetedPayloadReachesOnlyThatPeer() {
    FakeConnection alice = joined("demo", "alice");
    FakeConnection bob = joined("demo", "bob");
    FakeConnection carol = joined("demo", "carol");
    alice.take();
    bob.take();

    alice.text(send("bob", "offer"));

    assertThat(only(bob).get("data")).isEqualTo("offer");
    assertThat(carol.take()).isEmpty();
    assertThat(alice.take()).isEmpty();
  }

  @Test
  void binaryPayloadsTravelAsBase64Unchanged() {
    FakeConnection alice = joined("demo", "alice");
    FakeConnection bob = joined("demo", "bob");
    alice.take();
    byte[] bytes = {(byte) 0xff, 0, (byte) 0xc3, 1};

    alice.text(RelayFrames.send("bob", Payload.of(bytes)));

    Parsed msg = only(bob);
    assertThat(msg.get("data")).isNull();
    assertThat(Payload.from(msg, "data").bytes()).isEqualTo(bytes);
  }

  @Test
  void unknownTargetGetsAnErrorAndOthersAreUnaffected() {
    FakeConnection alice = joined("demo", "alice");
    FakeConnection bob = joined("demo", "bob");
    alice.take();

    alice.text(send("zoe", "hi"));

    Parsed error = only(alice);
    assertThat(error.op()).isEqualTo("error");
    assertThat(error.get("code")).isEqualTo("unknown-target");
    assertThat(error.get("message")).contains("zoe", "demo");
    assertThat(alice.closed()).isFalse();
    assertThat(bob.take()).isEmpty();
  }

  @Test
  void takenNameIsRefusedWithAClearErrorAndTheOwnerKeepsIt() {
    FakeConnection alice = joined("demo", "alice");
    FakeConnection impostor = FakeConnection.open(hub);

    impostor.text(RelayFrames.join("demo", "alice", null, "other-session", null));

    Parsed error = only(impostor);
    assertThat(error.get("code")).isEqualTo("name-taken");
    assertThat(error.get("message")).contains("'alice'", "choose another name");
    assertThat(impostor.closeCode).isEqualTo(RelayHub.POLICY_VIOLATION);
    assertThat(alice.take()).isEmpty();
    assertThat(hub.peers("demo")).containsExactly("alice");
  }

  @Test
  void sameSessionTakesItsNameBackWithoutAGoodbye() {
    FakeConnection bob = joined("demo", "bob");
    FakeConnection alice = FakeConnection.open(hub);
    alice.text(RelayFrames.join("demo", "alice", null, "s1", Payload.of("bye".getBytes())));
    bob.take();
    FakeConnection again = FakeConnection.open(hub);

    again.text(RelayFrames.join("demo", "alice", null, "s1", null));

    assertThat(only(again).peers()).containsExactly("bob");
    assertThat(alice.closeCode).isEqualTo(RelayHub.REPLACED);
    assertThat(bob.take()).isEmpty();
    again.text(send("bob", "still here"));
    assertThat(only(bob).get("data")).isEqualTo("still here");
  }

  @Test
  void vanishedPeerLeavesItsGoodbyeWithTheRoomAfterTheDelay() {
    FakeConnection bob = joined("demo", "bob");
    FakeConnection alice = FakeConnection.open(hub);
    alice.text(RelayFrames.join("demo", "alice", null, "s", Payload.of("{\"k\":\"b\"}".getBytes())));
    bob.take();

    alice.link.onClosed();

    assertThat(bob.take()).isEmpty();
    assertThat(hub.peers("demo")).containsExactly("bob");
    delays.elapse();
    List<Parsed> frames = bob.take();
    assertThat(frames).extracting(Parsed::op).containsExactly("msg", "peer-left");
    assertThat(frames.get(0).get("from")).isEqualTo("alice");
    assertThat(frames.get(0).get("data")).isEqualTo("{\"k\":\"b\"}");
  }

  @Test
  void sameClientBackWithinTheDelayIsNeverSeenGone() {
    FakeConnection bob = joined("demo", "bob");
    FakeConnection alice = FakeConnection.open(hub);
    alice.text(RelayFrames.join("demo", "alice", null, "s1", Payload.of("bye".getBytes())));
    bob.take();
    alice.link.onClosed();

    FakeConnection again = FakeConnection.open(hub);
    again.text(RelayFrames.join("demo", "alice", null, "s1", Payload.of("bye".getBytes())));

    assertThat(only(again).peers()).containsExactly("bob");
    assertThat(delays.pending()).isZero();
    delays.elapse();
    assertThat(bob.take()).isEmpty();
  }

  @Test
  void anotherClientTakingAHeldNameFirstReleasesTheGoodbye() {
    FakeConnection bob = joined("demo", "bob");
    FakeConnection alice = FakeConnection.open(hub);
    alice.text(RelayFrames.join("demo", "alice", null, "s1", Payload.of("bye".getBytes())));
    bob.take();
    alice.link.onClosed();

    FakeConnection newAlice = FakeConnection.open(hub);
    newAlice.text(RelayFrames.join("demo", "alice", null, "s2", null));

    assertThat(bob.take()).extracting(Parsed::op).containsExactly("msg", "peer-left", "peer-joined");
    assertThat(delays.pending()).isZero();
  }

  @Test
  void joinStillLandsWhenReleasingAHeldGoodbyeEmptiesTheRoom() {
    FakeConnection slow = joined("demo", "slow");
    FakeConnection alice = FakeConnection.open(hub);
    alice.text(RelayFrames.join("demo", "alice", null, "s1", Payload.of("bye".getBytes())));
    alice.link.onClosed();
    slow.queuedBytes = RelayLimits.defaults().maxQueuedBytes();

    FakeConnection newAlice = FakeConnection.open(hub);
    newAlice.text(RelayFrames.join("demo", "alice", null, "s2", null));

    assertThat(slow.closed()).isTrue();
    assertThat(only(newAlice).op()).isEqualTo("joined");
    assertThat(hub.peers("demo")).containsExactly("alice");
  }

  @Test
  void zeroGoodbyeDelayDeliversAtOnce() {
    hub = hub(RelayLimits.defaults().withGoodbyeDelay(java.time.Duration.ZERO),
        RelayAuthenticator.OPEN);
    FakeConnection bob = joined("demo", "bob");
    FakeConnection alice = FakeConnection.open(hub);
    alice.text(RelayFrames.join("demo", "alice", null, "s", Payload.of("bye".getBytes())));
    bob.take();

    alice.link.onClosed();

    assertThat(bob.take()).extracting(Parsed::op).containsExactly("msg", "peer-left");
  }

  @Test
  void cleanLeaveDropsTheGoodbye() {
    FakeConnection bob = joined("demo", "bob");
    FakeConnection alice = FakeConnection.open(hub);
    alice.text(RelayFrames.join("demo", "alice", null, "s", Payload.of("bye".getBytes())));
    bob.take();
    alice.take();

    alice.text(RelayFrames.leave());
    alice.link.onClosed();

    assertThat(only(alice).op()).isEqualTo("left");
    assertThat(bob.take()).extracting(Parsed::op).containsExactly("peer-left");
  }

  @Test
  void emptyRoomsDisappear() {
    FakeConnection alice = joined("demo", "alice");
    assertThat(hub.roomCount()).isEqualTo(1);

    alice.link.onClosed();

    assertThat(hub.roomCount()).isZero();
    assertThat(hub.connectionCount()).isZero();
  }

  @Test
  void garbageUnknownOpsAndWrongTypesGetErrorFrames() {
    FakeConnection alice = joined("demo", "alice");
    FakeConnection bob = joined("demo", "bob");
    alice.take();

    alice.text("not json at all");
    alice.text("[1,2,3]");
    alice.text("{\"op\":\"dance\"}");
    alice.text("{\"op\":\"send\",\"to\":42,\"data\":\"x\"}");
    alice.text("{\"op\":\"send\",\"data\":{\"nested\":true}}");
    alice.text("{\"op\":\"send\"}");
    alice.text("{\"op\":\"send\",\"data64\":\"***\"}");
    alice.text("{\"data\":\"x\"}");
    alice.link.onBinary();

    assertThat(alice.take()).extracting(frame -> frame.get("code")).containsExactly(
        "bad-frame", "bad-frame", "unknown-op", "bad-frame", "bad-frame", "bad-frame", "bad-frame",
        "bad-frame", "bad-frame");
    assertThat(alice.closed()).isFalse();
    assertThat(bob.take()).isEmpty();
    alice.text(send("bob", "fine"));
    assertThat(only(bob).get("data")).isEqualTo("fine");
  }

  @Test
  void sendBeforeJoinIsAnError() {
    FakeConnection stranger = FakeConnection.open(hub);

    stranger.text(send(null, "hello?"));

    assertThat(only(stranger).get("code")).isEqualTo("not-joined");
  }

  @Test
  void badJoinsAreRefused() {
    for (String frame : List.of(
        "{\"op\":\"join\",\"room\":\"demo\"}",
        "{\"op\":\"join\",\"room\":\" \",\"name\":\"a\"}",
        "{\"op\":\"join\",\"room\":\"demo\",\"name\":\"a\\u0000b\"}",
        "{\"op\":\"join\",\"room\":\"demo\",\"name\":\"" + "x".repeat(65) + "\"}")) {
      FakeConnection connection = FakeConnection.open(hub);
      connection.text(frame);
      assertThat(only(connection).get("code")).as(frame).isEqualTo("bad-join");
      assertThat(connection.closeCode).isEqualTo(RelayHub.POLICY_VIOLATION);
    }
    assertThat(hub.connectionCount()).isZero();
  }

  @Test
  void oversizeFrameClosesTheConnectionWithTooBig() {
    hub = hub(RelayLimits.defaults().withMaxFrameBytes(1024), RelayAuthenticator.OPEN);
    FakeConnection alice = joined("demo", "alice");
    FakeConnection bob = joined("demo", "bob");
    alice.take();

    alice.text(send(null, "é".repeat(600)));

    assertThat(alice.closeCode).isEqualTo(RelayHub.TOO_BIG);
    assertThat(alice.closeReason).contains("1024");
    assertThat(bob.take()).extracting(Parsed::op).containsExactly("peer-left");
    assertThat(hub.peers("demo")).containsExactly("bob");
  }

  @Test
  void floodIsThrottledThenClosedWhileOthersCarryOn() {
    hub = hub(RelayLimits.defaults().withRate(10, 20).withViolations(5, 1),
        RelayAuthenticator.OPEN);
    FakeConnection flooder = joined("demo", "flooder");
    FakeConnection bob = joined("demo", "bob");
    FakeConnection carol = joined("demo", "carol");
    flooder.take();
    bob.take();

    for (int i = 0; i < 19; i++) { // the join took one token of the burst of 20
      flooder.text(send("bob", "spam " + i));
    }
    assertThat(bob.take()).hasSize(19);
    for (int i = 0; i < 5; i++) {
      flooder.text(send("bob", "too much"));
    }
    assertThat(flooder.take()).extracting(frame -> frame.get("code"))
        .containsOnly("rate-limited").hasSize(5);
    assertThat(bob.take()).isEmpty();
    assertThat(flooder.closed()).isFalse();

    flooder.text(send("bob", "one more"));

    assertThat(flooder.closeCode).isEqualTo(RelayHub.POLICY_VIOLATION);
    carol.text(send("bob", "unaffected"));
    assertThat(bob.take()).extracting(frame -> frame.get("data")).contains("unaffected");
  }

  @Test
  void rateLimitRefillsOverTime() {
    hub = hub(RelayLimits.defaults().withRate(10, 2), RelayAuthenticator.OPEN);
    FakeConnection alice = joined("demo", "alice");
    FakeConnection bob = joined("demo", "bob");
    alice.take();
    alice.text(send("bob", "1"));
    alice.text(send("bob", "dropped"));
    assertThat(only(alice).get("code")).isEqualTo("rate-limited");

    nanos.addAndGet(100_000_000); // 0.1 s refills one frame at 10 per second
    alice.text(send("bob", "2"));

    assertThat(bob.take()).extracting(frame -> frame.get("data")).containsExactly("1", "2");
  }

  @Test
  void slowReaderIsClosedInsteadOfQueueingWithoutBound() {
    hub = hub(RelayLimits.defaults().withMaxQueuedBytes(RelayLimits.DEFAULT_MAX_FRAME_BYTES),
        RelayAuthenticator.OPEN);
    FakeConnection alice = joined("demo", "alice");
    FakeConnection slow = joined("demo", "slow");
    FakeConnection fast = joined("demo", "fast");
    alice.take();
    slow.take();
    slow.queuedBytes = RelayLimits.DEFAULT_MAX_FRAME_BYTES - 10;

    alice.text(send(null, "hello everyone"));

    assertThat(slow.closeCode).isEqualTo(RelayHub.POLICY_VIOLATION);
    assertThat(slow.closeReason).contains("outbound queue full");
    assertThat(fast.take()).extracting(Parsed::op).containsExactlyInAnyOrder("msg", "peer-left");
  }

  @Test
  void roomAndPeerAndConnectionLimitsRefuseWithReasons() {
    hub = hub(RelayLimits.defaults().withMaxRooms(1).withMaxPeersPerRoom(2)
        .withMaxConnections(4), RelayAuthenticator.OPEN);
    joined("demo", "alice");
    joined("demo", "bob");

    FakeConnection third = FakeConnection.open(hub);
    third.text(RelayFrames.join("demo", "carol", null, null, null));
    assertThat(only(third).get("code")).isEqualTo("room-full");

    FakeConnection elsewhere = FakeConnection.open(hub);
    elsewhere.text(RelayFrames.join("other", "dave", null, null, null));
    assertThat(only(elsewhere).get("code")).isEqualTo("too-many-rooms");

    FakeConnection idle1 = FakeConnection.open(hub);
    FakeConnection idle2 = FakeConnection.open(hub);
    FakeConnection overflow = FakeConnection.open(hub);
    assertThat(idle1.closed()).isFalse();
    assertThat(idle2.closed()).isFalse();
    assertThat(overflow.closeCode).isEqualTo(RelayHub.TRY_AGAIN_LATER);
  }

  @Test
  void sharedSecretAdmitsTheRightTokenOnly() {
    hub = hub(RelayLimits.defaults(), RelayAuthenticator.sharedSecret("s3cret"));
    FakeConnection none = FakeConnection.open(hub);
    FakeConnection wrong = FakeConnection.open(hub);
    FakeConnection right = FakeConnection.open(hub);

    none.text(RelayFrames.join("demo", "a", null, null, null));
    wrong.text(RelayFrames.join("demo", "b", "s3cret!", null, null));
    right.text(RelayFrames.join("demo", "c", "s3cret", null, null));

    assertThat(only(none).get("code")).isEqualTo("unauthorized");
    assertThat(only(wrong).get("code")).isEqualTo("unauthorized");
    assertThat(wrong.closed()).isTrue();
    assertThat(only(right).op()).isEqualTo("joined");
  }

  @Test
  void closingTheHubClosesEveryoneWithoutGoodbyes() {
    FakeConnection alice = FakeConnection.open(hub);
    alice.text(RelayFrames.join("demo", "alice", null, "s", Payload.of("bye".getBytes())));
    FakeConnection bob = joined("demo", "bob");
    alice.take();

    hub.close();
    delays.elapse();

    assertThat(alice.closeCode).isEqualTo(RelayHub.GOING_AWAY);
    assertThat(bob.closeCode).isEqualTo(RelayHub.GOING_AWAY);
    assertThat(alice.take()).isEmpty();
    assertThat(bob.take()).isEmpty();
    assertThat(FakeConnection.open(hub).closeCode).isEqualTo(RelayHub.GOING_AWAY);
  }
}
