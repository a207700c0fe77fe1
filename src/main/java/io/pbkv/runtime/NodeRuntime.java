package io.pbkv.runtime;

import io.pbkv.core.Command;
import io.pbkv.core.Event;
import io.pbkv.core.Message;
import io.pbkv.core.Node;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Outcome;
import io.pbkv.core.Query;
import io.pbkv.core.Ready;
import io.pbkv.core.ReadyLoop;
import io.pbkv.core.Reply;
import io.pbkv.core.Snapshot;
import io.pbkv.core.SnapshotFetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jctools.queues.varhandle.MpscBlockingConsumerVarHandleArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the {@link Node} on one thread, the loop, which never waits for a disk: the {@link StorageAppender} writes
 * and fsyncs on a thread of its own, and the {@link ReadyLoop} holds the order in which Readies are executed.
 * Client requests queue up while the loop is busy and the next turn proposes them all at once; writes that queue up
 * while an fsync runs share the next one: that is the group commit.
 */
public final class NodeRuntime implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(NodeRuntime.class);

	private static final int MAX_BATCH = 4096;

	private final Node node;

	private final LogStore logStore;

	private final MonotonicClock clock;

	private final ReadyLoop readyLoop;

	private final StorageAppender appender;

	private final SnapshotWriter snapshots;

	private final SnapshotSource snapshotSource;

	private final RuntimeListener listener;

	private final Duration tickInterval;

	private final MpscBlockingConsumerVarHandleArrayQueue<LoopInput> inbox;

	private final int queueCapacity;

	private final AwaitedReplies awaiting;

	private final Thread thread;

	private volatile NodeStatus status;

	private final StatusSignal statusSignal = new StatusSignal();

	private volatile boolean running = true;

	private volatile Throwable failure;

	private long nextRequestId;

	public NodeRuntime(Node node, LogStore logStore, MetaStore metaStore, DiscardedEntries discarded,
			Transport transport, SnapshotSource snapshotSource, MonotonicClock clock, RuntimeListener listener,
			Duration tickInterval, int queueCapacity) {
		this(node, logStore, metaStore, discarded, transport, snapshotSource, clock, listener, tickInterval,
				queueCapacity, Duration.ofSeconds(10));
	}

	/**
	 * @param requestTimeout how long a client request may wait for its outcome: then it is answered "unknown" (a
	 * write) or "unavailable" (a read) by the loop, so that the threads waiting for replies need no timers of their
	 * own
	 */
	public NodeRuntime(Node node, LogStore logStore, MetaStore metaStore, DiscardedEntries discarded,
			Transport transport, SnapshotSource snapshotSource, MonotonicClock clock, RuntimeListener listener,
			Duration tickInterval, int queueCapacity, Duration requestTimeout) {
		this.awaiting = new AwaitedReplies(requestTimeout);
		this.snapshotSource = snapshotSource;
		this.node = node;
		this.logStore = logStore;
		this.clock = clock;
		this.listener = listener;
		this.tickInterval = tickInterval;
		// Many threads offer and only the loop takes. An ArrayBlockingQueue's one lock made every request's thread
		// queue behind the others' and the loop's drain, and signal the loop at each offer; this queue's offer is
		// one CAS, and wakes the loop only when it is parked. Its array is queueCapacity rounded up to a power of
		// two, so enqueue() holds it to queueCapacity itself.
		this.inbox = new MpscBlockingConsumerVarHandleArrayQueue<>(Math.max(2, queueCapacity));
		this.queueCapacity = queueCapacity;
		this.snapshots = new SnapshotWriter(logStore, () -> enqueue(new LoopInput.Wake()));
		this.appender = new StorageAppender(logStore, metaStore, discarded, transport, listener,
				() -> enqueue(new LoopInput.Wake()), this::storageFailed);
		this.readyLoop = new ReadyLoop(node, new LoopEffects(transport));
		this.status = node.status();
		this.thread = Thread.ofPlatform().name("pbkv-node").unstarted(this::run);
	}

	public void start() {
		node.start(clock.nowMillis());
		status = node.status();
		appender.start();
		thread.start();
	}

	public CompletableFuture<Outcome> write(Command command) {
		CompletableFuture<Outcome> reply = new CompletableFuture<>();
		offer(new LoopInput.Write(command, reply), reply);
		return reply;
	}

	/** A read; {@code local} answers from this node's own copy, whatever its role. */
	public CompletableFuture<Outcome> read(Query query, boolean local) {
		CompletableFuture<Outcome> reply = new CompletableFuture<>();
		offer(new LoopInput.Read(query, local, reply), reply);
		return reply;
	}

	/** The operator's hand-over of the primary role to the backup named {@code to}. */
	public CompletableFuture<Outcome> handOver(String to) {
		CompletableFuture<Outcome> reply = new CompletableFuture<>();
		offer(new LoopInput.HandOver(to, reply), reply);
		return reply;
	}

	/** The operator's change of the voters: adds the one at a URL, or removes the one a node id or URL names. */
	public CompletableFuture<Outcome> changeVoters(String voter, boolean add) {
		CompletableFuture<Outcome> reply = new CompletableFuture<>();
		offer(new LoopInput.ChangeVoters(voter, add, reply), reply);
		return reply;
	}

	/** The operator's forced promotion, for when the other node is lost for good. */
	public CompletableFuture<Outcome> forcePromote() {
		CompletableFuture<Outcome> reply = new CompletableFuture<>();
		offer(new LoopInput.ForcePromote(reply), reply);
		return reply;
	}

	/** Queues an input for the loop; false when {@code queueCapacity} inputs are already queued. Any thread. */
	private boolean enqueue(LoopInput input) {
		return inbox.offerIfBelowThreshold(input, queueCapacity);
	}

	private void offer(LoopInput input, CompletableFuture<Outcome> reply) {
		if (!running) {
			reply.complete(new Outcome.Unavailable("node is stopped" + (failure != null ? ": " + failure : "")));
		}
		else if (!enqueue(input)) {
			reply.complete(new Outcome.Unavailable("node is overloaded: " + inbox.size() + " requests queued"));
		}
	}

	/**
	 * Asks the node to write a snapshot of its state at its next turn, unless its newest one is already of its
	 * applied index; the file appears in the data dir once written, off the loop. Never blocks: false when the
	 * node is stopped or its queue is full.
	 */
	public boolean requestSnapshot() {
		return running && enqueue(new LoopInput.TakeSnapshot());
	}

	/**
	 * Hands a peer's message to the node. Never blocks: returns false when the node is stopped or its queue is
	 * full, and the message is dropped (the protocol retransmits).
	 */
	public boolean deliver(Message message) {
		return running && enqueue(new LoopInput.Deliver(message));
	}

	/** The node as of the end of the loop's last turn. */
	public NodeStatus status() {
		return status;
	}

	/** A number that moves whenever the node applies entries, changes role or epoch, or stops; any thread. */
	public long statusGeneration() {
		return statusSignal.generation();
	}

	/**
	 * Waits until {@link #statusGeneration()} moves on from {@code seen} (the caller read it before it last asked
	 * the node, so nothing that happened since is missed); false if {@code timeout} passed first.
	 */
	public boolean awaitStatusChange(long seen, Duration timeout) throws InterruptedException {
		return statusSignal.awaitChange(seen, timeout);
	}

	/** Moves {@link #statusGeneration()} on, so that every thread waiting for a change looks again. */
	public void wakeFollowers() {
		statusSignal.wake();
	}

	/** Bytes the log and snapshot take on disk, as of the loop's last turn. */
	public long logSizeBytes() {
		return appender.sizeOnDisk();
	}

	/** Bytes the log store has written since the node started; any thread. */
	public LogStore.BytesWritten bytesWritten() {
		return logStore.bytesWritten();
	}

	/** How long the storage thread's current write and fsync have taken so far: a hung disk shows here. */
	public Duration storageBusyFor() {
		return appender.busyFor();
	}

	/** Why the loop stopped, or null while it runs. */
	public Throwable failure() {
		return failure;
	}

	private void run() {
		List<LoopInput> batch = new ArrayList<>();
		try {
			processReady();
			while (running) {
				LoopInput first = inbox.poll(tickInterval.toMillis(), TimeUnit.MILLISECONDS);
				long turnStart = System.nanoTime();
				if (first != null) {
					batch.add(first);
					inbox.drain(batch::add, MAX_BATCH - 1);
				}
				if (!running) {
					break; // storage failed: nothing more may be answered from what it did not write
				}
				// Read after the drain: every input taken arrived before this reading, so a stall before the drain (a
				// GC pause, a descheduled thread) never makes a read look as if it came while an expired lease held.
				long now = clock.nowMillis();
				for (ReadyLoop.StorageWrite done = appender.takeDone(); done != null; done = appender.takeDone()) {
					readyLoop.persisted(done);
				}
				node.tick(now);
				for (LoopInput input : batch) {
					accept(now, input);
				}
				batch.clear();
				processReady();
				awaiting.expire(System.nanoTime());
				listener.loopTurn(System.nanoTime() - turnStart);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException | RuntimeException ex) {
			stopped(ex);
		}
		finally {
			running = false;
			statusSignal.wake();
			failAll();
		}
	}

	private void storageFailed(Exception ex) {
		stopped(ex);
		running = false;
		enqueue(new LoopInput.Wake());
	}

	private synchronized void stopped(Exception ex) {
		if (failure != null) {
			return;
		}
		failure = ex;
		log.error("node {} stopped: storage or protocol failure; nothing more will be acknowledged",
				node.status().nodeId(), ex);
		listener.failed(ex);
	}

	private void accept(long now, LoopInput input) {
		long requestId = ++nextRequestId;
		switch (input) {
			case LoopInput.Write w -> {
				await(requestId, w.reply(), true);
				node.propose(now, requestId, w.command());
			}
			case LoopInput.Read r -> {
				await(requestId, r.reply(), false);
				node.read(now, requestId, r.query(), r.local());
			}
			case LoopInput.ForcePromote f -> {
				await(requestId, f.reply(), true);
				node.forcePromote(now, requestId);
			}
			case LoopInput.HandOver h -> {
				await(requestId, h.reply(), true);
				node.handOver(now, requestId, h.to());
			}
			case LoopInput.ChangeVoters c -> {
				await(requestId, c.reply(), true);
				node.changeVoters(now, requestId, c.voter(), c.add());
			}
			case LoopInput.Deliver d -> {
				if (d.message() instanceof Message.AppendResult r && r.success()) {
					listener.replicated(now - r.sentAt());
				}
				node.step(now, d.message());
			}
			case LoopInput.Fetched f -> node.snapshotFetched(now, f.snapshot(), f.request().fromUrl(), f.request().sentAt());
			case LoopInput.TakeSnapshot t -> node.requestSnapshot();
			case LoopInput.Wake w -> {
			}
		}
	}

	private void await(long requestId, CompletableFuture<Outcome> reply, boolean write) {
		awaiting.add(requestId, reply, write, System.nanoTime());
	}

	/** Runs the core's Ready batches until it has nothing more to do; {@link ReadyLoop} holds the order. */
	private void processReady() throws IOException {
		snapshotWritten(snapshots.poll());
		try {
			readyLoop.process();
		}
		catch (UncheckedIOException ex) {
			throw ex.getCause();
		}
		status = node.status();
		statusSignal.publish(status);
	}

	/** What executing a Ready does, on the loop thread; the writes themselves go to the {@link StorageAppender}. */
	private final class LoopEffects implements ReadyLoop.Effects {

		private final Transport transport;

		LoopEffects(Transport transport) {
			this.transport = transport;
		}

		@Override
		public void send(List<Message> messages) {
			if (!messages.isEmpty()) {
				transport.send(messages);
				listener.sent(messages);
			}
		}

		@Override
		public void reply(Reply reply) {
			awaiting.complete(reply);
		}

		@Override
		public void report(Ready rd) {
			rd.roleChanges().forEach(change -> {
				log.info("{}", change);
				listener.roleChanged(change);
			});
			rd.events().forEach(event -> {
				if (event.kind() == Event.Kind.BACKUP_ADMITTED || event.kind() == Event.Kind.CONFIG_COMMITTED
						|| event.kind() == Event.Kind.MEMBERSHIP_CHANGE) {
					log.info("{}", event);
				}
				else if (!event.text().isEmpty()) {
					log.warn("{}", event);
				}
				listener.event(event);
			});
		}

		@Override
		public void write(ReadyLoop.StorageWrite write) {
			if (write.ready().installSnapshot() != null) {
				// A snapshot file of the old state must not land after the reset: recovery takes the newest.
				try {
					snapshotWritten(snapshots.await());
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
			appender.write(write);
		}

		@Override
		public void snapshot(Snapshot snapshot) {
			snapshots.submit(snapshot);
		}

		@Override
		public void fetch(SnapshotFetch request) {
			// If the queue is full it is dropped: the primary offers again, and the file is already here.
			snapshotSource.fetch(request, snapshot -> enqueue(new LoopInput.Fetched(request, snapshot)));
		}

	}

	/** A snapshot is durable: the store and the core may now drop what it covers. */
	private void snapshotWritten(SnapshotWriter.Written written) throws IOException {
		if (written != null) {
			long compactedTo = node.snapshotSaved(written.snapshot().lastIndex());
			appender.compact(written.snapshot(), written.bytes(), compactedTo);
			listener.snapshotSaved(written.snapshot().data().size(), written.nanos());
		}
	}

	private void failAll() {
		Outcome unknown = new Outcome.Indeterminate("node stopped before the outcome was known");
		awaiting.failAll(unknown);
		List<LoopInput> left = new ArrayList<>();
		inbox.drain(left::add);
		Outcome notDone = new Outcome.Unavailable("node stopped");
		left.forEach(input -> input.refuse(notDone));
	}

	@Override
	public void close() throws IOException {
		// No interrupt: it would close the log's FileChannel under a running fsync. The loop polls with a
		// timeout of one tick, so it sees the flag soon.
		running = false;
		statusSignal.wake();
		try {
			thread.join(5_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		appender.close();
		snapshots.close();
		snapshotSource.close();
		logStore.close();
	}

}
