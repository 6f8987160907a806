"""Column names and schemas of every table recspark writes."""

from __future__ import annotations

from pyspark.sql import types as T

# users
USER_ID = "user_id"
SIGNUP_TS = "signup_ts"
COUNTRY = "country"

# products
PRODUCT_ID = "product_id"
CATEGORY = "category"
PRICE = "price"
LISTED_TS = "listed_ts"

# interactions
EVENT_ID = "event_id"
EVENT_TYPE = "event_type"
EVENT_TS = "event_ts"
EVENT_DATE = "event_date"

# labels: the hidden truth, never joined into what a model trains on
ENTITY = "entity"
ID = "id"
CLASS_INDEX = "class_index"
CLASS_NAME = "class_name"
ENTITY_USER = "user"
ENTITY_PRODUCT = "product"

# working columns inside the generator, never written
USER_INDEX = "_user_index"
PRODUCT_INDEX = "_product_index"
DRAW = "_draw"
USER_CLASS = "_user_class"
PRODUCT_CLASS = "_product_class"

USERS = "users"
PRODUCTS = "products"
INTERACTIONS = "interactions"
LABELS = "labels"
TABLES = (USERS, PRODUCTS, LABELS, INTERACTIONS)

USERS_SCHEMA = T.StructType(
    [
        T.StructField(USER_ID, T.LongType(), False),
        T.StructField(SIGNUP_TS, T.TimestampType(), False),
        T.StructField(COUNTRY, T.StringType(), False),
    ]
)

PRODUCTS_SCHEMA = T.StructType(
    [
        T.StructField(PRODUCT_ID, T.LongType(), False),
        T.StructField(CATEGORY, T.StringType(), False),
        T.StructField(PRICE, T.DecimalType(10, 2), False),
        T.StructField(LISTED_TS, T.TimestampType(), False),
    ]
)

INTERACTIONS_SCHEMA = T.StructType(
    [
        T.StructField(EVENT_ID, T.LongType(), False),
        T.StructField(USER_ID, T.LongType(), False),
        T.StructField(PRODUCT_ID, T.LongType(), False),
        T.StructField(EVENT_TYPE, T.StringType(), False),
        T.StructField(EVENT_TS, T.TimestampType(), False),
        T.StructField(EVENT_DATE, T.DateType(), False),
    ]
)

LABELS_SCHEMA = T.StructType(
    [
        T.StructField(ENTITY, T.StringType(), False),
        T.StructField(ID, T.LongType(), False),
        T.StructField(CLASS_INDEX, T.IntegerType(), False),
        T.StructField(CLASS_NAME, T.StringType(), False),
    ]
)

SCHEMAS = {
    USERS: USERS_SCHEMA,
    PRODUCTS: PRODUCTS_SCHEMA,
    INTERACTIONS: INTERACTIONS_SCHEMA,
    LABELS: LABELS_SCHEMA,
}

PARTITION_COLUMNS = {INTERACTIONS: (EVENT_DATE,)}
