package io.pbkv.core;


import java.util.List;

/**
 * Executes the core's {@link Ready} batches in the one order durability allows, with storage writes that finish
 * later (etcd-io/raft's asynchronous storage writes). This is the only place that order is written down, and both
 * the {@link NodeRuntime} and the simulation run it:
 * <ol>
 * <li>a primary's appends ({@link Ready#messagesBeforeSync}) leave at once, so that the backups' disks work while
 * ours does, unless a write that changes the node's identity (epoch, vote, snapshot, truncation) is still under
 * way: nothing leaves before that is durable;</li>
 * <li>replies leave at once: they answer only what was durable and committed at an earlier advance. A Ready that
 * changes the hard state (a forced promotion) answers after its write;</li>
 * <li>the writes go to storage as one {@link StorageWrite} with the Ready's other messages: storage persists
 * writes in order, then sends their messages, then reports each done ({@link #persisted}), which advances the
 * core. A backup's acknowledgement therefore always means durable. A Ready with nothing to write but messages
 * waits in the same queue while any write is under way, since its messages may rest on that write;</li>
 * <li>a snapshot the core asked for and a snapshot to fetch are handed on at once: both concern committed
 * state.</li>
 * </ol>
 * Single-threaded and free of I/O: the {@link Effects} do the work. Not thread-safe; the caller's loop owns it.
 */
public final class ReadyLoop {

	/** What executing Readies does to the world. */
	public interface Effects {

		void send(List<Message> messages);

		void reply(Reply reply);

		/** Role changes and events: logged and counted. */
		void report(Ready rd);

		/** Queues {@code write} behind the writes already queued; {@link #persisted} reports it done. */
		void write(StorageWrite write);

		/** Writes a snapshot file of committed state off the loop. */
		void snapshot(Snapshot snapshot);

		void fetch(SnapshotFetch fetch);

	}

	/**
	 * One Ready's storage work, and the messages and replies that must wait until it is durable. Storage executes
	 * writes in the order they were queued.
	 */
	public record StorageWrite(Ready ready, List<Message> messages, List<Reply> replies) {
	}

	private final Node node;

	private final Effects effects;

	private int writesUnderWay;

	private int identityWritesUnderWay;

	public ReadyLoop(Node node, Effects effects) {
		this.node = node;
		this.effects = effects;
	}

	/** Takes and executes Readies until the core has nothing more to do now. */
	public void process() {
		for (int guard = 0; node.hasReady(); guard++) {
			if (guard > 100_000) {
				throw new IllegalStateException("node " + node.status().nodeId() + " never stops producing Readies");
			}
			execute(node.ready());
		}
	}

	private void execute(Ready rd) {
		boolean early = identityWritesUnderWay == 0;
		List<Message> now = early ? rd.messagesBeforeSync() : List.of();
		List<Message> later = early ? rd.messagesAfterSync() : rd.messages();
		effects.send(now);
		effects.report(rd);
		boolean repliesWait = rd.hardState() != null;
		if (!repliesWait) {
			rd.replies().forEach(effects::reply);
		}
		if (rd.hasWrites() || writesUnderWay > 0 && (!later.isEmpty() || repliesWait)) {
			writesUnderWay++;
			if (rd.changesIdentity()) {
				identityWritesUnderWay++;
			}
			effects.write(new StorageWrite(rd, later, repliesWait ? rd.replies() : List.of()));
		}
		else {
			effects.send(later);
			if (repliesWait) {
				rd.replies().forEach(effects::reply);
			}
			node.advance(rd);
		}
		if (rd.snapshot() != null) {
			effects.snapshot(rd.snapshot());
		}
		if (rd.fetch() != null) {
			effects.fetch(rd.fetch());
		}
	}

	/**
	 * Storage made {@code write} durable and sent its messages; call in the order writes were queued. Replies that
	 * waited for it go out here, then the core advances.
	 */
	public void persisted(StorageWrite write) {
		writesUnderWay--;
		if (write.ready().changesIdentity()) {
			identityWritesUnderWay--;
		}
		write.replies().forEach(effects::reply);
		node.advance(write.ready());
	}

}
