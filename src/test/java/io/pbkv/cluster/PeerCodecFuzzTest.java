package io.pbkv.cluster;

import io.pbkv.core.Message;
import io.pbkv.fuzz.Mutations;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.fail;

/**
 * Whatever bytes arrive as a peer batch, decoding returns messages or throws {@link MalformedMessageException}:
 * never another exception, an out-of-memory from a forged length, or a hang. Inputs are mutations of valid batches
 * of every message kind, in the pair's and the quorum's forms ({@link Mutations}; {@code -Dpbkv.fuzz.inputs=N}).
 */
class PeerCodecFuzzTest {

	private static final long SEED = 20261207;

	@Test
	void decodingAnyMutationOfAValidBatchReturnsMessagesOrRefusesIt() {
		List<byte[]> valid = new ArrayList<>();
		List<Message> every = TestMessages.everyKind();
		valid.add(MessageCodec.encode(every));
		valid.add(MessageCodec.encode(List.of()));
		for (Message m : every) {
			valid.add(MessageCodec.encode(List.of(m)));
		}
		Mutations mutations = new Mutations(SEED);
		int inputs = Mutations.inputs(300_000);
		int refused = 0;
		for (int i = 0; i < inputs; i++) {
			byte[] input = mutations.mutate(valid.get(mutations.nextInt(valid.size())));
			try {
				MessageCodec.decode(input);
			}
			catch (MalformedMessageException expected) {
				refused++;
			}
			catch (Throwable other) {
				fail("input " + i + " of seed " + SEED + " threw " + other + " instead of MalformedMessageException; "
						+ Mutations.show(input), other);
			}
		}
		if (refused < inputs / 2) {
			fail("the mutations are too gentle: only " + refused + " of " + inputs + " inputs were refused");
		}
	}

}
