package io.pbkv.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static io.pbkv.core.LoneNodeHarness.put;
import static org.assertj.core.api.Assertions.assertThat;

/** Paging through a listing while other writes go on: no key that existed throughout is skipped or repeated. */
class ListingPagesTest {

	@Test
	void writesBetweenPagesNeverMakeAPageSkipOrRepeatAKeyThatExistedThroughout() {
		Random random = new Random(42);
		for (int round = 0; round < 20; round++) {
			LoneNodeHarness h = new LoneNodeHarness().start().settle();
			Set<String> stable = new TreeSet<>();
			for (int i = 0; i < 200; i++) {
				String key = "k/" + String.format("%03d", i * 5);
				stable.add(key);
				h.propose(put(key, "v"));
			}
			h.settle();
			List<String> seen = new ArrayList<>();
			String after = "";
			while (true) {
				// Between pages: new keys land before, inside and after the page just read, others go again.
				for (int w = 0; w < 5; w++) {
					String key = "k/" + String.format("%03d", random.nextInt(1000)) + (random.nextBoolean() ? "x" : "");
					if (!stable.contains(key)) {
						h.propose(random.nextInt(3) == 0 ? new Command.Delete(key, Precondition.NONE) : put(key, "w"));
					}
				}
				long id = h.read(new Query.List("k/", false, after, 1 + random.nextInt(15)));
				h.settle();
				Outcome.Listing page = (Outcome.Listing) h.outcome(id);
				page.items().forEach(item -> seen.add(item.key()));
				if (page.next() == null) {
					break;
				}
				after = page.next();
			}
			assertThat(seen).as("keys in order, none twice").isSorted().doesNotHaveDuplicates();
			assertThat(seen).as("every key that existed throughout").containsAll(stable);
		}
	}

}
