package io.neuralrate.data;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ML-1M ".dat" format (ML-100K is covered end to end by JobIT on the real files). */
class MovieLensImporterTest {
    @Test
    void readsMl1mDatFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("users.dat"), "1::F::1::10::48067\n2::M::56::16::70072\n");
        Files.writeString(dir.resolve("movies.dat"), "1::Toy Story (1995)::Animation|Children's|Comedy\n"
                + "2::Untitled::Drama\n");
        Files.writeString(dir.resolve("ratings.dat"), "1::1::5::978300760\n2::2::3::978302109\n1::2::4::978301968\n");
        MovieLensImporter.MovieLensTables t = MovieLensImporter.read(SparkTestSupport.spark(), dir.toString(), null);
        assertEquals(2, t.users().count());
        assertEquals(3, t.ratings().count());
        List<Row> items = t.items().orderBy("item_id").collectAsList();
        assertEquals(1995.0, items.get(0).getDouble(items.get(0).fieldIndex("release_year")));
        assertEquals("Animation", items.get(0).getString(items.get(0).fieldIndex("main_genre")));
        assertEquals(1995.0, items.get(1).getDouble(items.get(1).fieldIndex("release_year")), "missing year filled");
        Row r = t.ratings().orderBy("user_id", "item_id").first();
        assertEquals(1, r.getInt(0));
        assertEquals(5.0, r.getDouble(2));
    }

    @Test
    void aFolderWithoutMovieLensFilesIsRefusedByName(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MovieLensImporter.read(SparkTestSupport.spark(), dir.toString(), null));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }
}
