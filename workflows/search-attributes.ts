import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered by scripts/stack-up.sh; the saga keeps them current so the Temporal UI can filter orders. */
export const ORDER_STATUS = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const CUSTOMER_ID = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const ORDER_TOTAL = defineSearchAttributeKey('OrderTotal', SearchAttributeType.DOUBLE);
export const FAILED_STEP = defineSearchAttributeKey('FailedStep', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [ORDER_STATUS, CUSTOMER_ID, ORDER_TOTAL, FAILED_STEP] as const;
