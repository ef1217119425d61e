package io.rtchat.signal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.signal.ws.RelayFrames.Parsed;
import io.rtchat.signal.ws.RelayFrames.Payload;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Hubs of several servers sharing rooms through a federation that delivers when the test pumps. */
class RelayFederationTest {

  private final AtomicLong nanos = new AtomicLong();
  private final ManualDelays delays = new ManualDelays();
  private final Mesh mesh = new Mesh();
  private final RelayHub a = mesh.hub("a");
  private final RelayHub b = mesh.hub("b");

  /** In-memory stand-in for the backplane: events and snapshots wait until {@link #pump()}. */
  private final class Mesh {
    final Map<String, RelayHub> hubs = new LinkedHashMap<>();
    final Queue<Runnable> wire = new ArrayDeque<>();

    RelayHub hub(String id) {
      RelayHub hub = new RelayHub(RelayLimits.defaults(), RelayAuthenticator.OPEN, nanos::get, delays);
      hubs.put(id, hub);
      hub.federate(new RelayFederation() {
        @Override
        public void membersChanged() {
          wire.add(() -> {
            String snapshot = hub.membersSnapshot();
            others(id).forEach(other -> other.onRemoteMembers(id, snapshot));
          });
        }

        @Override
        public void broadcast(String event) {
          wire.add(() -> others(id).forEach(other -> other.onRemoteEvent(id, event)));
        }
      });
      return hub;
    }

    List<RelayHub> others(String id) {
      List<RelayHub> out = new ArrayList<>();
      hubs.forEach((k, v) -> {
        if (!k.equals(id)) {
          out.add(v);
        }
      });
      return out;
    }

    /** Delivers everything in flight, including what the deliveries cause. */
    void pump() {
      for (Runnable next; (next = wire.poll()) != null; ) {
        next.run();
      }
    }

    /**
     * The hub's server died: the others learn it from the backplane (its presence is cleared).
     * Not closed: a dead server says nothing more (and closing would clear the shared delays).
     */
    void kill(String id) {
      hubs.remove(id);
      wire.clear();
      hubs.values().forEach(h -> h.onRemoteMembers(id, null));
    }
  }

  private FakeConnection join(RelayHub hub, String name, String session, String goodbye) {
    FakeConnection connection = FakeConnection.open(hub);
    connection.text(RelayFrames.join("demo", name, null, session,
        goodbye == null ? null : Payload.of(goodbye.getBytes(StandardCharsets.UTF_8))));
    mesh.pump();
    return connection;
  }

  private FakeConnection joined(RelayHub hub, String name) {
    FakeConnection connection = join(hub, name, "session-" + name, "bye from " + name);
    assertThat(connection.take()).extracting(Parsed::op).containsExactly("joined");
    return connection;
  }

  private static String send(String to, String text) {
    return RelayFrames.send(to, Payload.of(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void peersOnTwoServersSeeEachOtherAndExchangePayloads() {
    FakeConnection alice = joined(a, "alice");
    FakeConnection bob = join(b, "bob", "session-bob", null);

    List<Parsed> welcome = bob.take();
    assertThat(welcome).extracting(Parsed::op).containsExactly("joined");
    assertThat(welcome.get(0).peers()).containsExactly("alice");
    assertThat(alice.take()).extracting(f -> f.op() + " " + f.get("name")).containsExactly("peer-joined bob");
    assertThat(a.peers("demo")).containsExactly("alice", "bob");

    alice.text(send("bob", "offer"));
    bob.text(send(null, "announce"));
    mesh.pump();

    assertThat(bob.take()).extracting(f -> f.get("from") + ":" + f.get("data")).containsExactly("alice:offer");
    assertThat(alice.take()).extracting(f -> f.get("from") + ":" + f.get("data")).containsExactly("bob:announce");
  }

  @Test
  void aRoomPayloadReachesAPeerWhoseJoinIsStillOnItsWay() {
    FakeConnection bob = FakeConnection.open(b);
    bob.text(RelayFrames.join("demo", "bob", null, "s-bob", null));
    FakeConnection alice = FakeConnection.open(a);
    alice.text(RelayFrames.join("demo", "alice", null, "s-alice", null));
    alice.text(send(null, "announce")); // a has not heard of bob yet

    mesh.pump();

    assertThat(bob.take()).extracting(f -> f.op() + " " + f.get("data"))
        .containsExactly("joined null", "peer-joined null", "msg announce");
  }

  @Test
  void binaryPayloadsCrossServersUnchanged() {
    FakeConnection alice = joined(a, "alice");
    FakeConnection bob = joined(b, "bob");
    byte[] bytes = {(byte) 0xff, 0, (byte) 0xfe, 1};

    alice.text(RelayFrames.send("bob", Payload.of(bytes)));
    mesh.pump();

    Parsed msg = bob.take().get(0);
    assertThat(msg.get("data64")).isNotNull();
    assertThat(Payload.from(msg, "data").bytes()).isEqualTo(bytes);
  }

  @Test
  void aNameInUseOnAnotherServerIsRefused() {
    joined(a, "alice");

    FakeConnection impostor = join(b, "alice", "other-session", null);

    assertThat(impostor.take()).extracting(f -> f.get("code")).containsExactly("name-taken");
    assertThat(impostor.closed()).isTrue();
    assertThat(b.peers("demo")).containsExactly("alice");
  }

  @Test
  void unknownTargetIsStillAnError() {
    FakeConnection alice = joined(a, "alice");
    joined(b, "bob");
    alice.take();

    alice.text(send("zoe", "x"));

    assertThat(alice.take()).extracting(f -> f.get("code")).containsExactly("unknown-target");
  }

  @Test
  void aClientMovingToAnotherServerKeepsItsNameAndTheRoomNoticesNothing() {
    FakeConnection alice = joined(a, "alice");
    FakeConnection carol = joined(a, "carol");
    FakeConnection bob = joined(b, "bob");
    alice.take();
    carol.take();

    FakeConnection moved = join(b, "alice", "session-alice", "bye from alice");

    assertThat(moved.take()).extracting(Parsed::op).containsExactly("joined");
    assertThat(alice.closeCode).isEqualTo(RelayHub.REPLACED);
    delays.elapse();
    mesh.pump();
    assertThat(carol.take()).isEmpty();
    assertThat(bob.take()).isEmpty();
    assertThat(a.peers("demo")).containsExactlyInAnyOrder("carol", "alice", "bob");
    carol.text(send("alice", "still there?"));
    mesh.pump();
    assertThat(moved.take()).extracting(f -> f.get("data")).containsExactly("still there?");
  }

  @Test
  void aVanishedPeersGoodbyeReachesTheOtherServerBeforeItsLeave() {
    FakeConnection alice = joined(a, "alice");
    FakeConnection bob = joined(b, "bob");
    alice.take();

    alice.link.onClosed();
    mesh.pump();
    assertThat(bob.take()).isEmpty();
    delays.elapse();
    mesh.pump();

    assertThat(bob.take()).extracting(f -> f.op() + " " + f.get("data"))
        .containsExactly("msg bye from alice", "peer-left null");
    assertThat(b.peers("demo")).containsExactly("bob");
  }

  @Test
  void aDeadServersPeersLeaveWithTheirGoodbyesUnlessTheyComeBackInTime() {
    FakeConnection alice = joined(a, "alice");
    joined(a, "carol");
    FakeConnection bob = joined(b, "bob");
    alice.take();

    mesh.kill("a");
    assertThat(bob.take()).isEmpty();
    FakeConnection back = join(b, "alice", "session-alice", "bye from alice");
    assertThat(back.take()).extracting(Parsed::op).containsExactly("joined");
    delays.elapse();

    assertThat(bob.take()).extracting(f -> f.op() + " " + f.get("from") + f.get("name"))
        .containsExactly("msg carolnull", "peer-left nullcarol");
    assertThat(b.peers("demo")).containsExactly("bob", "alice");
  }

  @Test
  void aServerJoiningLaterLearnsTheRoomsFromTheSnapshot() {
    joined(a, "alice");
    joined(b, "bob");

    RelayHub c = mesh.hub("c");
    mesh.hubs.forEach((id, hub) -> {
      if (hub != c) {
        c.onRemoteMembers(id, hub.membersSnapshot());
      }
    });
    mesh.pump();

    FakeConnection carol = join(c, "carol", "s", null);
    assertThat(carol.take().get(0).peers()).containsExactly("alice", "bob");
    assertThat(a.peers("demo")).containsExactly("alice", "bob", "carol");
  }

  @Test
  void twoServersAdmittingOneNameAtOnceAgreeOnASingleOwner() {
    FakeConnection first = FakeConnection.open(a);
    FakeConnection second = FakeConnection.open(b);
    first.text(RelayFrames.join("demo", "alice", null, "s1", null));
    second.text(RelayFrames.join("demo", "alice", null, "s2", null));
    mesh.pump();

    assertThat(List.of(first.closed(), second.closed())).containsExactlyInAnyOrder(true, false);
    FakeConnection loser = first.closed() ? first : second;
    assertThat(loser.take()).extracting(f -> f.op() + " " + f.get("code"))
        .containsExactly("joined null", "error name-taken");
    assertThat(a.peers("demo")).containsExactly("alice");
    assertThat(b.peers("demo")).containsExactly("alice");
    FakeConnection bob = joined(a, "bob");
    FakeConnection winner = first.closed() ? second : first;
    bob.text(send("alice", "hi"));
    mesh.pump();
    assertThat(winner.take()).extracting(f -> f.get("data")).contains("hi");
  }

  @Test
  void staleSnapshotsAreIgnoredAndGarbageChangesNothing() {
    FakeConnection alice = joined(a, "alice");
    String before = a.membersSnapshot();
    FakeConnection bob = joined(b, "bob");
    bob.take();
    alice.text(RelayFrames.leave());
    mesh.pump();
    assertThat(bob.take()).extracting(Parsed::op).containsExactly("peer-left");

    b.onRemoteMembers("a", before);
    b.onRemoteMembers("a", "{not json");
    b.onRemoteMembers("a", "{\"epoch\":1,\"v\":\"x\"}");
    b.onRemoteEvent("a", "[]");
    b.onRemoteEvent("a", "{\"ev\":\"explode\"}");
    b.onRemoteEvent("a", "{\"ev\":\"msg\",\"room\":\"demo\"}");
    b.onRemoteEvent("a", "{\"ev\":\"join\",\"epoch\":\"e\",\"v\":1,\"room\":\"demo\",\"name\":\"\\u0001\"}");

    assertThat(bob.take()).isEmpty();
    assertThat(b.peers("demo")).containsExactly("bob");
  }
}
