package io.rtchat.core;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A listener that records what a peer sees, for tests; shared with transport modules. */
public class EventRecorder implements PeerListener {

  /** One recorded event: kind, remote peer, and a detail (message text, reason, ...). */
  public record Event(String kind, String peer, String detail) {}

  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<ReceivedFile> files = new CopyOnWriteArrayList<>();

  public List<Event> events() {
    return List.copyOf(events);
  }

  public List<ReceivedFile> files() {
    return List.copyOf(files);
  }

  public boolean has(String kind, String peer) {
    return events.stream().anyMatch(e -> e.kind().equals(kind) && e.peer().equals(peer));
  }

  public boolean has(String kind, String peer, String detail) {
    return events.contains(new Event(kind, peer, detail));
  }

  public void awaitEvent(String kind, String peer) {
    Awaitility.await().atMost(TIMEOUT).until(() -> has(kind, peer));
  }

  public void awaitEvent(String kind, String peer, String detail) {
    Awaitility.await().atMost(TIMEOUT).until(() -> has(kind, peer, detail));
  }

  public long count(Predicate<Event> filter) {
    return events.stream().filter(filter).count();
  }

  @Override
  public void onConnected(PeerSession session) {
    events.add(new Event("connected", session.remoteName(), null));
  }

  @Override
  public void onDisconnected(PeerSession session, String reason) {
    events.add(new Event("disconnected", session.remoteName(), reason));
  }

  @Override
  public void onMessage(PeerSession session, Message message) {
    events.add(new Event("message", session.remoteName(), message.text()));
  }

  @Override
  public void onQuestion(PeerSession session, String topic, String content) {
    events.add(new Event("question", session.remoteName(), topic + ":" + content));
  }

  @Override
  public void onRejected(String peerName, String reason) {
    events.add(new Event("rejected", peerName, reason));
  }

  @Override
  public void onFileReceived(PeerSession session, ReceivedFile file) {
    files.add(file);
    events.add(new Event("file", session.remoteName(), file.offeredName()));
  }
}
