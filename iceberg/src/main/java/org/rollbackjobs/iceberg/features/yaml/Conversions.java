package org.rollbackjobs.iceberg.features.yaml;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Turns an expression's result into the Java value Iceberg's generic writer expects for a column's type. */
final class Conversions {
  private Conversions() {}

  static Object to(Type type, Object value, String where) {
    if (value == null) {
      return null;
    }
    switch (type.typeId()) {
      // a value of the type already is returned as it is: boxing it again costs an object per row
      case LONG:
        if (value instanceof Long) {
          return value;
        }
        if (isIntegral(value)) {
          return ((Number) value).longValue();
        }
        break;
      case INTEGER:
        if (isIntegral(value)) {
          return Math.toIntExact(((Number) value).longValue());
        }
        break;
      case DOUBLE:
        if (value instanceof Double) {
          return value;
        }
        if (value instanceof Number n) {
          return n.doubleValue();
        }
        break;
      case FLOAT:
        if (value instanceof Number n) {
          return n.floatValue();
        }
        break;
      case BOOLEAN:
        if (value instanceof Boolean) {
          return value;
        }
        break;
      case STRING:
        if (value instanceof CharSequence s) {
          return s.toString();
        }
        break;
      case DECIMAL:
        if (value instanceof Number n) {
          BigDecimal decimal = n instanceof BigDecimal d ? d : new BigDecimal(n.toString());
          return decimal.setScale(((Types.DecimalType) type).scale(), RoundingMode.HALF_EVEN);
        }
        break;
      case TIMESTAMP:
        if (((Types.TimestampType) type).shouldAdjustToUTC() ? value instanceof OffsetDateTime : value instanceof LocalDateTime) {
          return value;
        }
        break;
      case DATE:
        if (value instanceof LocalDate) {
          return value;
        }
        break;
      case TIME:
        if (value instanceof LocalTime) {
          return value;
        }
        break;
      case UUID:
        if (value instanceof UUID) {
          return value;
        }
        break;
      case BINARY:
        if (value instanceof ByteBuffer) {
          return value;
        }
        break;
      default:
        break;
    }
    throw new IllegalStateException(where + ": the expression gave " + value + " (" + value.getClass().getSimpleName()
        + "), which is not a " + type);
  }

  private static boolean isIntegral(Object value) {
    return value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger;
  }
}
