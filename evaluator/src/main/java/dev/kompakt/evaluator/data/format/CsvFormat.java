package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataException;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.PackedDataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * {@code csv}: {@code train.csv} and {@code test.csv} in a directory, each with a header row, one label column (named
 * by {@link ReadOptions#labelColumn()}) and numeric feature columns (all the others, in the train file's order; the
 * test file must have the same columns, in any order). Labels are integers (classes {@code 0..max}) or, if any label
 * is not an integer, names (classes are the sorted names over both files). Fields are split on commas and trimmed, one
 * pair of surrounding double quotes is dropped; quoted commas are not supported. Blank lines are skipped. Samples are
 * float32 of a {@linkplain DataShape#tabular(int) tabular} shape.
 */
public final class CsvFormat implements DatasetFormat {
    @Override
    public String name() {
        return "csv";
    }

    @Override
    public TrainTest read(Path dir, ReadOptions options, Path cacheDir) throws IOException {
        Path trainFile = dir.resolve("train.csv");
        Path testFile = dir.resolve("test.csv");
        for (Path p : List.of(trainFile, testFile)) {
            if (!Files.isRegularFile(p)) {
                throw new DataException(p, "CSV file not found");
            }
        }
        String key = "label=" + options.labelColumn() + " classes=" + options.classes();
        return PackedCache.load(cacheDir, name(), key, dir, List.of(trainFile, testFile), (trainTarget, testTarget) -> {
            Survey train = survey(trainFile, options.labelColumn(), null);
            Survey test = survey(testFile, options.labelColumn(), train.header);
            Labels labels = labels(train, test, options.classes());
            DataShape shape = DataShape.tabular(train.header.size() - 1);
            return new TrainTest(pack(train, labels, shape, trainTarget, name() + "/train"),
                    pack(test, labels, shape, testTarget, name() + "/test"));
        });
    }

    /** What a first pass over one file learns: its columns (in the train file's order), rows and labels. */
    private record Survey(Path file, List<String> header, int[] columnOf, int labelColumn, int rows,
                         Map<String, Integer> firstLine) {
    }

    /** Label text to class index, and the class names. */
    private record Labels(Map<String, Integer> index, List<String> names) {
    }

    private static Survey survey(Path file, String labelName, List<String> trainHeader) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            if (first == null) {
                throw new DataException(file, "empty CSV file (no header row)");
            }
            List<String> header = Arrays.asList(split(first.replace("\uFEFF", "")));
            int labelColumn = header.indexOf(labelName);
            if (labelColumn < 0) {
                throw new DataException(file, "no label column '" + labelName + "' in header " + header);
            }
            if (header.size() < 2) {
                throw new DataException(file, "no feature columns beside the label column '" + labelName + "'");
            }
            List<String> order = trainHeader == null ? header : trainHeader;
            if (trainHeader != null && !(header.size() == trainHeader.size() && header.containsAll(trainHeader))) {
                throw new DataException(file, "columns " + header + " differ from the train file's " + trainHeader);
            }
            int[] columnOf = new int[order.size()];
            for (int k = 0; k < order.size(); k++) {
                columnOf[k] = header.indexOf(order.get(k));
            }
            Map<String, Integer> firstLine = new HashMap<>();
            int rows = 0;
            int lineNo = 1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = split(line);
                if (fields.length != header.size()) {
                    throw new DataException(file, "line " + lineNo + ": " + fields.length + " columns but the header has " + header.size());
                }
                firstLine.putIfAbsent(fields[labelColumn], lineNo);
                rows++;
            }
            return new Survey(file, order, columnOf, order.indexOf(labelName), rows, firstLine);
        }
    }

    private static Labels labels(Survey train, Survey test, int given) throws IOException {
        boolean integers = true;
        for (Survey s : List.of(train, test)) {
            for (String label : s.firstLine.keySet()) {
                integers &= label.matches("[+-]?\\d{1,9}");
            }
        }
        Map<String, Integer> index = new HashMap<>();
        int classes;
        if (integers) {
            int max = 0;
            for (Survey s : List.of(train, test)) {
                for (Map.Entry<String, Integer> e : s.firstLine.entrySet()) {
                    int label = Integer.parseInt(e.getKey());
                    if (label < 0 || (given > 0 && label >= given)) {
                        throw new DataException(s.file, "line " + e.getValue() + ": label " + label + " is outside the class range [0, "
                                + (given > 0 ? given : "...") + ")");
                    }
                    max = Math.max(max, label);
                    index.put(e.getKey(), label);
                }
            }
            classes = given > 0 ? given : max + 1;
            List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
            checkTwoClasses(train, index);
            return new Labels(index, names);
        }
        TreeMap<String, Survey> sorted = new TreeMap<>();
        test.firstLine.keySet().forEach(l -> sorted.put(l, test));
        train.firstLine.keySet().forEach(l -> sorted.put(l, train));
        List<String> names = new ArrayList<>(sorted.keySet());
        classes = names.size();
        if (given > 0 && classes > given) {
            String label = names.get(given);
            Survey s = sorted.get(label);
            throw new DataException(s.file, "line " + s.firstLine.get(label) + ": label '" + label + "' is class " + given
                    + " of the sorted names " + names + ", outside the class range [0, " + given + ")");
        }
        for (int k = 0; k < names.size(); k++) {
            index.put(names.get(k), k);
        }
        checkTwoClasses(train, index);
        List<String> all = new ArrayList<>(names);
        for (int k = names.size(); k < given; k++) {
            all.add("class " + k);
        }
        return new Labels(index, List.copyOf(all));
    }

    private static void checkTwoClasses(Survey train, Map<String, Integer> index) throws IOException {
        if (train.firstLine.keySet().stream().map(index::get).distinct().count() < 2) {
            throw new DataException(train.file, "one class only " + train.firstLine.keySet()
                    + ": classification needs at least two classes");
        }
    }

    private static PackedDataset pack(Survey s, Labels labels, DataShape shape, Path target, String name) throws IOException {
        float[] sample = new float[shape.features()];
        try (BufferedReader in = Files.newBufferedReader(s.file, StandardCharsets.UTF_8);
             PackedDataset.Writer writer = PackedDataset.writer(target, name, shape, labels.names, PackedDataset.SampleType.FLOAT32, s.rows)) {
            in.readLine();
            int lineNo = 1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = split(line);
                if (fields.length != s.header.size()) {
                    throw new DataException(s.file, "line " + lineNo + ": " + fields.length + " columns but the header has " + s.header.size());
                }
                int f = 0;
                for (int k = 0; k < s.header.size(); k++) {
                    if (k == s.labelColumn) {
                        continue;
                    }
                    String field = fields[s.columnOf[k]];
                    float v;
                    try {
                        v = Float.parseFloat(field);
                    } catch (NumberFormatException e) {
                        v = Float.NaN;
                    }
                    if (!Float.isFinite(v)) {
                        throw new DataException(s.file, "line " + lineNo + ", column '" + s.header.get(k) + "': non-numeric feature '"
                                + field + "'");
                    }
                    sample[f++] = v;
                }
                Integer label = labels.index.get(fields[s.columnOf[s.labelColumn]]);
                if (label == null) {
                    throw new DataException(s.file, "line " + lineNo + ": label '" + fields[s.columnOf[s.labelColumn]]
                            + "' was not there on the first pass (file changed while reading?)");
                }
                writer.add(label, sample);
            }
            return writer.finish();
        }
    }

    private static String[] split(String line) {
        String[] fields = line.split(",", -1);
        for (int k = 0; k < fields.length; k++) {
            String f = fields[k].trim();
            if (f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")) {
                f = f.substring(1, f.length() - 1).trim();
            }
            fields[k] = f;
        }
        return fields;
    }
}
