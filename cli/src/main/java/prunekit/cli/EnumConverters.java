package prunekit.cli;

import java.util.Locale;
import picocli.CommandLine;
import prunekit.core.model.DType;
import prunekit.core.model.ReferenceShape;
import prunekit.export.ExportFormat;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.group.GroupKind;
import prunekit.prune.score.ScorerName;
import prunekit.recover.Device;
import prunekit.recover.LossKind;
import prunekit.recover.Recipe;

/**
 * Typed options for every fixed set of values: each enum is converted by its own parser (the one
 * the files use too), so {@code --dtype fp16} means the same in every command. Enums without a
 * parser of their own (OnnxFlavour, Budget.Scope, ExternalData) use picocli's case-insensitive names.
 */
final class EnumConverters {
    private EnumConverters() {
    }

    static void register(CommandLine cl) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(DType.class, DType::parse);
        cl.registerConverter(ScorerName.class, ScorerName::parse);
        cl.registerConverter(GroupKind.class, GroupKind::fromId);
        cl.registerConverter(LossKind.class, LossKind::parse);
        cl.registerConverter(Device.class, Device::parse);
        cl.registerConverter(Recipe.Mode.class, Recipe.Mode::parse);
        cl.registerConverter(AttentionUnit.class, EnumConverters::attentionUnit);
        cl.registerConverter(ExportFormat.class, ExportFormat::parse); // gguf, onnx, onnx-folder
        cl.registerConverter(ReferenceShape.class, ReferenceShape::parse); // synth --like llama-2-7b
    }

    /** kv-groups or query-heads (underscores and any case too). */
    static AttentionUnit attentionUnit(String s) {
        try {
            return AttentionUnit.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--attention-unit " + s + ": use kv-groups or query-heads");
        }
    }
}
