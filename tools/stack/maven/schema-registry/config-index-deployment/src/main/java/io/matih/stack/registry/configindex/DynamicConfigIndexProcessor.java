package io.matih.stack.registry.configindex;

import apicurio.common.app.components.config.index.DynamicPropertiesInfoRecorder;
import io.apicurio.common.apps.config.DynamicConfigPropertyDef;
import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.processor.InjectionPointInfo;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.runtime.RuntimeValue;
import java.util.ArrayList;
import java.util.List;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.DotName;
import org.jboss.jandex.FieldInfo;
import org.jboss.jandex.Type;

/**
 * The build step of Apicurio's `config-index` extension, written for the MATIH local stack.
 *
 * <p>Apicurio marks the settings an administrator may change while the registry runs with
 * {@code @Dynamic} next to {@code @ConfigProperty} on a {@code Supplier<T>} field. At run time the
 * registry asks a {@link DynamicConfigPropertyList} bean which settings those are, with their type
 * and default. This step builds that list from the injection points ArC discovered and hands it to
 * the extension's runtime recorder, which turns it into the bean.
 */
public class DynamicConfigIndexProcessor {

  private static final DotName CONFIG_PROPERTY = DotName.createSimple("org.eclipse.microprofile.config.inject.ConfigProperty");
  private static final DotName DYNAMIC = DotName.createSimple("io.apicurio.common.apps.config.Dynamic");

  @BuildStep
  @Record(ExecutionTime.RUNTIME_INIT)
  void indexDynamicSettings(
      DynamicPropertiesInfoRecorder recorder,
      BeanDiscoveryFinishedBuildItem discovery,
      BuildProducer<SyntheticBeanBuildItem> beans) {
    List<DynamicConfigPropertyDef> settings = new ArrayList<>();
    for (InjectionPointInfo point : discovery.getInjectionPoints()) {
      if (!point.isField()) continue;
      AnnotationInstance property = point.getRequiredQualifier(CONFIG_PROPERTY);
      if (property == null) continue;
      FieldInfo field = point.getTarget().asField();
      AnnotationInstance dynamic = field.annotation(DYNAMIC);
      if (dynamic == null) continue;
      settings.add(describe(field, property, dynamic));
    }
    RuntimeValue<DynamicConfigPropertyList> list = recorder.initializePropertiesInfo(settings);
    beans.produce(SyntheticBeanBuildItem.configure(DynamicConfigPropertyList.class)
        .runtimeValue(list)
        .unremovable()
        .setRuntimeInit()
        .done());
  }

  private static DynamicConfigPropertyDef describe(FieldInfo field, AnnotationInstance property, AnnotationInstance dynamic) {
    String where = field.declaringClass().name() + "#" + field.name();
    String name = property.value("name").asString();
    AnnotationValue defaultValue = property.value("defaultValue");
    if (defaultValue == null) {
      throw new IllegalStateException("@Dynamic setting " + name + " (" + where + ") needs a defaultValue in its @ConfigProperty");
    }
    DynamicConfigPropertyDef setting = new DynamicConfigPropertyDef(name, valueClass(field, where), defaultValue.asString());
    AnnotationValue label = dynamic.value("label");
    if (label != null) setting.setLabel(label.asString());
    AnnotationValue description = dynamic.value("description");
    if (description != null) setting.setDescription(description.asString());
    AnnotationValue requires = dynamic.value("requires");
    if (requires != null) setting.setRequires(requires.asStringArray());
    return setting;
  }

  /** The T of the field's {@code Supplier<T>}: the type the setting's value is read as. */
  private static Class<?> valueClass(FieldInfo field, String where) {
    Type type = field.type();
    if (type.kind() != Type.Kind.PARAMETERIZED_TYPE || type.asParameterizedType().arguments().size() != 1) {
      throw new IllegalStateException("@Dynamic field " + where + " must be a Supplier<T>, found " + type);
    }
    String className = type.asParameterizedType().arguments().get(0).name().toString();
    try {
      return Class.forName(className, false, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("@Dynamic field " + where + ": cannot load its value type " + className, e);
    }
  }
}
