import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The saga's custom search attributes, declared here only: it keeps them current so the Temporal
 * UI and GET /orders can filter orders. docker/temporal/search-attributes.txt lists them for the
 * scripts that register them with the server (scripts/search-attributes.ts writes it).
 */
export const ORDER_STATUS = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const CUSTOMER_ID = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const ORDER_TOTAL = defineSearchAttributeKey('OrderTotal', SearchAttributeType.DOUBLE);
export const FAILED_STEP = defineSearchAttributeKey('FailedStep', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [ORDER_STATUS, CUSTOMER_ID, ORDER_TOTAL, FAILED_STEP] as const;
