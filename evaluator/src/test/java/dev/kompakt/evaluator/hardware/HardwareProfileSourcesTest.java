package dev.kompakt.evaluator.hardware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in profiles cite "hardware-profiles.md N.M" and tag every source ([C], [D], [A], mixed tags): every cited
 * section (and "table N.M") must exist in the document shipped beside them, and every tag must be in its legend.
 */
class HardwareProfileSourcesTest {
    /** "hardware-profiles.md 2.1", "... 5, 6.3", "... sections 5 and 6.3", "... 2.2 and table 2.11". */
    private static final Pattern CITATION = Pattern.compile(
            "hardware-profiles\\.md\\s+(?:sections?\\s+)?((?:table\\s+)?\\d+(?:\\.\\d+)*(?:\\s*(?:,|and)\\s*(?:table\\s+)?\\d+(?:\\.\\d+)*)*)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{2,6}\\s+(\\d+(?:\\.\\d+)*)\\.?\\s");
    private static final Pattern LEGEND_ENTRY = Pattern.compile("\\*\\*(\\[[^\\]]+\\])\\*\\*");
    /** Any bracketed capitalised token in a profile: a tag, or something that pretends to be one. */
    private static final Pattern PROFILE_TAG = Pattern.compile("\\[[A-Z][^\\]\\[]*\\]");
    /** Tags in the document: a tag letter, then nothing or a non-word character (so not reference keys like [Accelergy]). */
    private static final Pattern DOCUMENT_TAG = Pattern.compile("\\[[ACD](?:[^\\w\\]][^\\]\\[]*)?\\]");

    private static String document;
    private static Set<String> sections;
    private static Set<String> legend;
    /** profile id -> every string in its file (sources, anchor sources, names). */
    private static Map<String, List<String>> profileTexts;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = ProfileRegistry.class.getResourceAsStream(ProfileRegistry.SOURCES_RESOURCE)) {
            assertNotNull(in, ProfileRegistry.SOURCES_RESOURCE + " missing from the classpath");
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        sections = new TreeSet<>();
        Matcher h = HEADING.matcher(document);
        while (h.find()) {
            sections.add(h.group(1));
        }
        int start = document.indexOf("\n## How to read the numbers");
        assertTrue(start >= 0, "the document has no legend section 'How to read the numbers'");
        int end = document.indexOf("\n## ", start + 1);
        legend = new TreeSet<>();
        Matcher l = LEGEND_ENTRY.matcher(document.substring(start, end));
        while (l.find()) {
            legend.add(l.group(1));
        }
        profileTexts = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String id : ProfileRegistry.BUILT_IN) {
            try (InputStream in = ProfileRegistry.class.getResourceAsStream("/profiles/" + id + ".json")) {
                assertNotNull(in, id);
                List<String> texts = new ArrayList<>();
                collectStrings(json.readTree(in), texts);
                profileTexts.put(id, texts);
            }
        }
    }

    private static void collectStrings(JsonNode node, List<String> out) {
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.forEach(child -> collectStrings(child, out));
    }

    /** "[C, secondary]", "[C: README]" and "[C; thread #110]" are the tag [C] with a qualifier. */
    private static String base(String tag) {
        String inner = tag.substring(1, tag.length() - 1);
        int cut = inner.length();
        for (char c : new char[] {',', ':', ';'}) {
            int i = inner.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        return "[" + inner.substring(0, cut).trim() + "]";
    }

    /** Each cited section of one citation, e.g. "2.10", "8", "table 2.11". */
    private static List<String> citations(String text) {
        List<String> cited = new ArrayList<>();
        Matcher m = CITATION.matcher(text);
        while (m.find()) {
            for (String s : m.group(1).split("\\s*(?:,|\\band\\b)\\s*")) {
                cited.add(s.trim());
            }
        }
        return cited;
    }

    /** Null if the cited section or table exists, else why not. */
    private static String problem(String cited) {
        boolean table = cited.startsWith("table");
        String number = table ? cited.substring("table".length()).trim() : cited;
        if (!sections.contains(number)) {
            return "no section " + number + " (sections: " + sections + ")";
        }
        if (table) {
            Matcher h = Pattern.compile("(?m)^#{2,6}\\s+" + Pattern.quote(number) + "\\.?\\s").matcher(document);
            h.find();
            int next = document.indexOf("\n#", h.end());
            String body = document.substring(h.end(), next < 0 ? document.length() : next);
            if (!Pattern.compile("(?m)^\\|").matcher(body).find()) {
                return "section " + number + " has no table";
            }
        }
        return null;
    }

    @Test
    void theDocumentHasTheSectionsAndTheLegendTheProfilesRelyOn() {
        assertTrue(sections.containsAll(List.of("0", "1.1", "2.1", "2.11", "6.3", "8", "9")), sections.toString());
        assertTrue(legend.containsAll(List.of("[C]", "[D]", "[A]")), legend.toString());
    }

    @Test
    void everySectionCitedByABuiltInProfileExists() {
        List<String> broken = new ArrayList<>();
        int count = 0;
        for (var e : profileTexts.entrySet()) {
            for (String text : e.getValue()) {
                assertTrue(!text.contains("shared/research"), e.getKey() + " cites the research folder, not the shipped document: " + text);
                for (String cited : citations(text)) {
                    count++;
                    String why = problem(cited);
                    if (why != null) {
                        broken.add(e.getKey() + ": hardware-profiles.md " + cited + ": " + why);
                    }
                }
            }
        }
        assertTrue(count > 50, "too few citations found (" + count + "): is the citation pattern still right?");
        assertEquals(List.of(), broken);
    }

    @Test
    void everySectionCitedByTheCodeExists() throws IOException {
        Path src = Path.of("src/main/java");
        if (!Files.isDirectory(src)) {
            src = Path.of("evaluator/src/main/java");
        }
        assertTrue(Files.isDirectory(src), "evaluator sources not found from " + Path.of("").toAbsolutePath());
        List<String> broken = new ArrayList<>();
        int count = 0;
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                assertTrue(!text.contains("shared/research/hardware-profiles"), f + " cites the research folder");
                for (String cited : citations(text)) {
                    count++;
                    String why = problem(cited);
                    if (why != null) {
                        broken.add(f.getFileName() + ": hardware-profiles.md " + cited + ": " + why);
                    }
                }
            }
        }
        assertTrue(count > 5, "too few citations found in the code (" + count + ")");
        assertEquals(List.of(), broken);
    }

    @Test
    void theDocumentsOwnSectionReferencesExist() {
        List<String> broken = new ArrayList<>();
        Matcher m = Pattern.compile("§\\s*(\\d+(?:\\.\\d+)*)").matcher(document);
        while (m.find()) {
            if (!sections.contains(m.group(1))) {
                broken.add("§" + m.group(1));
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void everyTagOfEveryBuiltInProfileIsInTheLegend() {
        List<String> undefined = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (var e : profileTexts.entrySet()) {
            for (String text : e.getValue()) {
                Matcher m = PROFILE_TAG.matcher(text);
                while (m.find()) {
                    used.add(base(m.group()));
                    if (!legend.contains(base(m.group()))) {
                        undefined.add(e.getKey() + ": " + m.group() + " in: " + text);
                    }
                }
            }
        }
        assertTrue(used.containsAll(List.of("[C]", "[D]", "[A]")), used.toString());
        assertEquals(List.of(), undefined, "legend: " + legend);
        // the legend printed by `kompakt profiles` covers them too, and says nothing the document does not
        Set<String> printed = new TreeSet<>();
        Matcher p = PROFILE_TAG.matcher(ProfileRegistry.SOURCE_TAGS);
        while (p.find()) {
            printed.add(p.group());
        }
        assertTrue(printed.containsAll(used), "ProfileRegistry.SOURCE_TAGS lacks " + used + " - " + printed);
        assertTrue(legend.containsAll(printed), "ProfileRegistry.SOURCE_TAGS has tags the document does not define: " + printed);
    }

    @Test
    void everyTagInTheDocumentIsInItsLegend() {
        Set<String> undefined = new TreeSet<>();
        Matcher m = DOCUMENT_TAG.matcher(document);
        while (m.find()) {
            if (!legend.contains(base(m.group()))) {
                undefined.add(m.group());
            }
        }
        assertEquals(Set.of(), undefined, "legend: " + legend);
    }
}
